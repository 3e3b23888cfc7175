// html/app.js — the HTML report's own script: reads the JSON blocks tcplens
// wrote into the page (report/report_html.c says what each holds:
// #tcplens-report, the schema-1 report's objects with the graphed flows and
// their events; #tcplens-table, the worst flows' rows, ranked by the C code;
// #tcplens-events, the events table; #tcplens-dist, distributions over every
// flow; #tcplens-samples, decimated segments of the graphed flows;
// #tcplens-vocabulary, findings.def's kinds) and draws the diagnosis, the
// distributions, the sortable connections table, the events table with
// Wireshark filters and, per graphed flow, a time-sequence graph and a
// flight-per-round graph with uPlot, for either direction. Everything is
// drawn from the data: the C side writes no drawing code, and the page
// decides nothing the C side decided (ranking, charted direction).
'use strict';
(function () {
  const F_RETRANS = 1, F_CSUM_BAD = 2, F_CSUM_OFFLOAD = 4, F_GIANT = 8;
  const TABLE_ROWS = 2000;
  const STALL_COLORS = {
    delayed_ack: 'rgba(255,152,0,0.18)', cork: 'rgba(121,85,72,0.18)', rto: 'rgba(229,57,53,0.20)',
    zero_window: 'rgba(142,36,170,0.18)', receiver_limited: 'rgba(94,53,177,0.15)',
    sender_limited: 'rgba(0,137,123,0.15)', app_idle: 'rgba(120,144,156,0.15)',
    tlp: 'rgba(216,27,96,0.16)', unknown: 'rgba(97,97,97,0.12)',
  };
  const PHASE_COLORS = { slow_start: '#43a047', congestion_avoidance: '#1e88e5', recovery: '#e53935', app: '#9e9e9e' };
  const PHASE_BANDS = {
    slow_start: 'rgba(67,160,71,0.07)', congestion_avoidance: 'rgba(30,136,229,0.05)',
    recovery: 'rgba(229,57,53,0.10)', app: 'rgba(158,158,158,0.08)',
  };
  const SEG = { plain: '#1565c0', retrans: '#e53935', bad: '#ff6f00', offload: '#90a4ae', giant: '#6a1b9a' };

  const $ = (id) => document.getElementById(id);
  // The tunnel a flow rides in, in the words of the text report.
  const encapText = (f) => {
    const over = (f.link_encap || []).length ? `, over ${f.link_encap.join(', ')}` : '';
    const e = f.encap;
    if (!e) return over;
    const id = ['vni', 'teid', 'key', 'session'].find((k) => k in e);
    const back = id && (id + '_s2c') in e ? ` (${e[id + '_s2c']} back)` : '';
    const tunnel = e.outer ? `, tunnel ${e.outer[0]} → ${e.outer[1]}` : '';
    return `, inside ${e.kind}${id ? ' ' + id + ' ' + e[id] : ''}${back}${tunnel}${over}`;
  };
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  // The diagnosis marks commands and names with backticks, as the text
  // report prints them: here they are code (text nodes only, never HTML).
  const withCode = (tag, attrs, text) => {
    const e = el(tag, attrs);
    String(text).split('`').forEach((part, i) => {
      if (part) e.appendChild(i % 2 ? el('code', {}, part) : document.createTextNode(part));
    });
    return e;
  };
  const fmtBytes = (n) => {
    if (n == null) return '';
    const u = ['B', 'kB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
    return (i ? n.toFixed(1) : String(n)) + ' ' + u[i];
  };
  const fmtMs = (v) => (v == null ? '' : v.toFixed(1));

  function fail(err) {
    const box = $('error');
    box.style.display = 'block';
    box.textContent = 'The report could not be drawn: ' + (err && err.stack ? err.stack : err);
    console.error(err);
  }

  // Time ticks with as many decimals as their spacing needs, so two ticks
  // never read the same ("0.044 0.044 0.045" at a millisecond scale).
  function timeTicks(u, splits) {
    let step = Infinity;
    for (let i = 1; i < splits.length; i++) step = Math.min(step, Math.abs(splits[i] - splits[i - 1]));
    if (!isFinite(step) || step <= 0) return splits.map((v) => (v == null ? '' : v.toFixed(3)));
    // the fewest decimals that write every tick exactly (0.025, not 0.03)
    let dec = Math.min(9, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
    while (dec < 9 && splits.some((v) => v != null && Math.abs(Number(v.toFixed(dec)) - v) > step * 1e-3)) dec++;
    return splits.map((v) => (v == null ? '' : v.toFixed(dec)));
  }

  // "1 flow", "2 flows": the text report's words.
  function plural(n, word) {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
  }

  function header(rep) {
    const c = rep.capture || {}, s = rep.source || {};
    document.title = 'tcplens: ' + (s.name || 'report');
    const dur = c.first_ts != null && c.last_ts != null ? (c.last_ts - c.first_ts).toFixed(3) + ' s' : '';
    $('source').textContent = `${s.kind || ''} ${s.name || ''} (${s.linktype || ''})` +
      (s.filter ? ` filter "${s.filter}"` : '') +
      ` — ${plural(c.packets || 0, 'packet')}, ${fmtBytes(c.bytes || 0)}, ${plural(c.flows || 0, 'flow')}, ${dur}` +
      ` — tcplens ${rep.tcplens}, report schema ${rep.schema}`;
  }

  function findings(rep) {
    const box = $('findings');
    const list = ((rep.summary || {}).findings) || [];
    if (!list.length) {
      box.appendChild(el('p', { class: 'nodata' }, 'No problems found.'));
      return;
    }
    for (const f of list) {
      const d = el('div', { class: 'finding sev-' + f.severity });
      const h = el('div');
      h.appendChild(el('span', { class: 'sev' }, f.severity));
      h.appendChild(el('b', {}, f.kind + (f.cause ? ' / ' + f.cause : '') + (f.host ? ' — ' + f.host : '') +
        ' (' + f.count + ')'));
      d.appendChild(h);
      d.appendChild(withCode('div', { class: 'explanation' }, f.explanation));
      if (f.remedy) d.appendChild(withCode('div', { class: 'remedy' }, f.remedy));
      box.appendChild(d);
    }
  }

  const COLUMNS = [
    { key: 'rank', label: 'rank', num: true },
    { key: 'id', label: 'flow', num: true },
    { key: 'client', label: 'client', l: true },
    { key: 'server', label: 'server', l: true },
    { key: 'packets', label: 'packets', num: true },
    { key: 'bytes', label: 'bytes', num: true, fmt: fmtBytes },
    { key: 'retrans', label: 'retrans', num: true },
    { key: 'stalls', label: 'stalls', num: true },
    { key: 'stalled_ms', label: 'stalled ms', num: true, fmt: fmtMs },
    { key: 'rtt', label: 'RTT p50 ms', num: true, fmt: fmtMs },
    { key: 'cc', label: 'cc', l: true },
    { key: 'events', label: 'events', num: true },
  ];

  function flowsTable(rows, graphed, info) {
    // A column for the tunnel only when some flow rides in one.
    const COLS = rows.some((r) => r.inside)
      ? COLUMNS.flatMap((c) => (c.key === 'server' ? [c, { key: 'inside', label: 'inside', l: true }] : [c]))
      : COLUMNS;
    const table = $('flows-table');
    const thead = table.tHead, tbody = table.tBodies[0];
    let sortKey = 'rank', asc = true;
    const tr = el('tr');
    const ths = COLS.map((c) => {
      const th = el('th', { class: c.l ? 'l' : '', 'data-key': c.key }, c.label);
      th.addEventListener('click', () => {
        asc = sortKey === c.key ? !asc : !c.num;
        sortKey = c.key;
        draw();
      });
      tr.appendChild(th);
      return th;
    });
    thead.appendChild(tr);
    function draw() {
      const col = COLS.find((c) => c.key === sortKey);
      const sorted = rows.slice().sort((a, b) => {
        const x = a[sortKey], y = b[sortKey];
        let r = col.num ? (x ?? -Infinity) - (y ?? -Infinity) : String(x).localeCompare(String(y));
        if (r === 0) r = a.id - b.id;
        return asc ? r : -r;
      });
      ths.forEach((th, i) => {
        th.className = (COLS[i].l ? 'l ' : '') +
          (COLS[i].key === sortKey ? (asc ? 'sorted-asc' : 'sorted-desc') : '');
      });
      tbody.textContent = '';
      for (const r of sorted.slice(0, TABLE_ROWS)) {
        const row = el('tr', { class: graphed.has(r.id) ? 'graphed' : '' });
        for (const c of COLS) {
          const td = el('td', { class: c.l ? 'l' : '' });
          const v = c.fmt ? c.fmt(r[c.key]) : (r[c.key] ?? '');
          if (c.key === 'id' && graphed.has(r.id)) {
            td.appendChild(el('a', { href: '#flow-' + r.id }, String(v)));
          } else {
            td.textContent = String(v);
          }
          row.appendChild(td);
        }
        tbody.appendChild(row);
      }
      const total = info.flows ?? rows.length;
      $('flows-note').textContent = (rows.length < total
        ? `The ${rows.length} worst of ${plural(total, 'flow')}`
        : plural(total, 'flow')) +
        ' (worst first: stalled time but think time, plus each finding times its weight; click a column to sort)' +
        (rows.length > TABLE_ROWS ? `; the first ${TABLE_ROWS} of the sorted list are shown` : '') +
        '. Flows in bold have graphs below.';
    }
    draw();
  }

  // ---- charts ----

  function chartWidth() {
    return Math.max(480, Math.min(1240, ($('flow-graphs').clientWidth || 1200) - 10));
  }

  // Wheel zoom around the pointer and Shift+drag pan on the x scale.
  function zoomPan(u) {
    u.over.addEventListener('wheel', (e) => {
      e.preventDefault();
      const { min, max } = u.scales.x;
      const x = u.posToVal(u.cursor.left, 'x');
      const k = e.deltaY < 0 ? 0.8 : 1.25;
      u.setScale('x', { min: x - (x - min) * k, max: x + (max - x) * k });
    }, { passive: false });
    u.root.addEventListener('mousedown', (e) => {
      if (!e.shiftKey || e.button !== 0) return;
      e.stopPropagation();
      e.preventDefault();
      const x0 = e.clientX, { min, max } = u.scales.x;
      const perPx = (max - min) / u.over.clientWidth;
      const move = (m) => {
        const dx = (m.clientX - x0) * perPx;
        u.setScale('x', { min: min - dx, max: max - dx });
      };
      const up = () => {
        document.removeEventListener('mousemove', move);
        document.removeEventListener('mouseup', up);
      };
      document.addEventListener('mousemove', move);
      document.addEventListener('mouseup', up);
    }, true);
  }

  // Keep the x scales of a flow's charts together.
  function linkX(charts) {
    let busy = false;
    for (const u of charts) {
      u.hooks.setScale = u.hooks.setScale || [];
    }
    return (u, key) => {
      if (key !== 'x' || busy) return;
      busy = true;
      for (const o of charts) {
        if (o !== u && o.scales.x.min !== u.scales.x.min) o.setScale('x', { min: u.scales.x.min, max: u.scales.x.max });
      }
      busy = false;
    };
  }

  function shadeStalls(u, stalls) {
    const ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
    for (const s of stalls) {
      const x0 = u.valToPos(s.t, 'x', true), x1 = u.valToPos(s.t + s.ms / 1000, 'x', true);
      if (x1 < u.bbox.left || x0 > u.bbox.left + u.bbox.width) continue;
      ctx.fillStyle = STALL_COLORS[s.cause] || 'rgba(0,0,0,0.08)';
      ctx.fillRect(x0, top, Math.max(1, x1 - x0), h);
    }
  }

  // What is under the pointer on a time-sequence graph: the nearest data
  // segment or ACK (its frame, sequence range, length, time), else a SACK
  // hole or a stall band it is in. Within 8 px; the tip follows the pointer.
  function hover(u, tip, data, acks, holes, stalls) {
    const { left, top } = u.cursor;
    if (left == null || left < 0) { tip.style.display = 'none'; return; }
    const px = (t) => u.valToPos(t, 'x'), py = (v) => u.valToPos(v, 'y');
    let best = null, bestD = 8;
    const FLAG_WORDS = [[F_RETRANS, 'retransmission'], [F_CSUM_BAD, 'bad checksum'],
      [F_CSUM_OFFLOAD, 'offload artifact'], [F_GIANT, 'giant (TSO/GRO)']];
    for (const p of data) {
      const x = px(p[0]);
      if (Math.abs(x - left) > bestD) continue;
      const y0 = py(p[1]), y1 = py(p[2]);
      const dy = top > y0 ? top - y0 : top < y1 ? y1 - top : 0;
      const d = Math.hypot(x - left, dy);
      if (d < bestD) {
        bestD = d;
        const what = FLAG_WORDS.filter(([f]) => p[3] & f).map(([, w]) => w);
        best = `frame ${p[4]}: data, seq ${p[1]}–${p[2]} (${p[2] - p[1]} bytes)` +
          (what.length ? ', ' + what.join(', ') : '') + `, t ${p[0].toFixed(6)} s`;
      }
    }
    for (const p of acks) {
      const d = Math.hypot(px(p[0]) - left, py(p[1]) - top);
      if (d < bestD) {
        bestD = d;
        best = `frame ${p[4]}: ACK ${p[1]}, window to ${p[2]} (${p[2] - p[1]} bytes)` +
          (p[3] & 0x10 ? ', zero window' : '') + `, t ${p[0].toFixed(6)} s`;
      }
    }
    if (!best) {
      const t = u.posToVal(left, 'x'), v = u.posToVal(top, 'y');
      const h = holes.find((x) => t >= x.rt && t <= x.rt + x.fill_ms / 1000 && v >= x.seq - 1 &&
        v <= x.seq + x.bytes + 1);
      const st = stalls.find((x) => t >= x.t && t <= x.t + x.ms / 1000);
      if (h) best = `frame ${h.frame}: SACK hole, seq ${h.seq}–${h.seq + h.bytes} (${h.bytes} bytes), ` +
        `open ${h.fill_ms} ms, filled by ${h.filled_by}`;
      else if (st) best = `frame ${st.frame}: stall, ${st.ms} ms, cause ${st.cause}` +
        (st.end != null ? `, until frame ${st.end}` : '');
    }
    if (!best) { tip.style.display = 'none'; return; }
    tip.textContent = best;
    tip.style.display = 'block';
    const w = u.over.clientWidth;
    tip.style.left = Math.min(left + 12, Math.max(0, w - 360)) + 'px';
    tip.style.top = Math.max(0, top - 28) + 'px';
  }

  function timeSeqChart(box, g, flow, dir, base, evs, link) {
    const other = dir === 'c2s' ? 's2c' : 'c2s';
    const ms = (v) => v / 1000; // sample times are ms after t0
    const off = g.t0 - base;
    const frame0 = g.first_frame || 0;
    const data = g[dir].data.map((p) => [off + ms(p[0]), p[1], p[2], p[3], frame0 + (p[4] || 0)]);
    const acks = g[other].acks.map((p) => [off + ms(p[0]), p[1], p[2], p[3], frame0 + (p[4] || 0)]);
    const sacks = g[other].sacks.map((p) => [off + ms(p[0]), p[1], p[2]]);
    const mine = evs.filter((e) => e.dir === dir);
    const retrans = mine.filter((e) => e.kind === 'retransmission');
    const holes = mine.filter((e) => e.kind === 'sack_gap');
    const synAgain = evs.filter((e) => e.kind === 'syn_retransmit');
    const csum = mine.filter((e) => e.kind === 'csum_bad');
    const stalls = evs.filter((e) => e.kind === 'stall').map((e) => ({ t: e.rt, ms: e.duration_ms, cause: e.cause,
      frame: e.frame, end: e.end_frame }));
    // x: the ACKs (or the data), plus the handshake's moments, so the SYN,
    // its retries and the ACK completing it are in view
    const t0 = g.sampled ? 0 : flow.first_ts - base;
    const moments = flow.client_from_syn
      ? [t0, ...synAgain.map((e) => e.rt), ...(flow.handshake_ms != null ? [t0 + flow.handshake_ms / 1000] : [])]
      : [];
    const pts = (acks.length ? acks.map((p) => [p[0], p[1], p[2]]) : data.map((p) => [p[0], null, null]));
    if (pts.length) for (const t of moments) pts.push([t, null, null]);
    pts.sort((a, b) => a[0] - b[0]);
    const xs = pts.map((p) => p[0]), ackY = pts.map((p) => p[1]), winY = pts.map((p) => p[2]);
    if (!xs.length) {
      box.appendChild(el('p', { class: 'nodata' }, 'No segments sampled in this direction.'));
      return null;
    }
    // The data and the ACKs in view set the scale, not the receive window:
    // a flow of a few hundred bytes is not drawn flat under a 64 KB window
    // line (which then runs above the plot, clipped).
    const yRange = (u, dmin) => {
      const { min, max } = u.scales.x;
      let lo = dmin ?? Infinity, hi = -Infinity;
      for (const p of data) {
        if (min != null && (p[0] < min || p[0] > max)) continue;
        if (p[1] < lo) lo = p[1];
        if (p[2] > hi) hi = p[2];
      }
      // an ACK never passes the data it acknowledges: the data's top is
      // the plot's (the window line above it runs clipped)
      if (!isFinite(hi)) hi = lo + 1000;
      if (!isFinite(lo) || !isFinite(hi)) return [0, 1];
      const pad = (hi - lo) * 0.03 || 1000;
      return [Math.max(0, lo - pad), hi + pad];
    };
    const drawSegments = (u) => {
      const ctx = u.ctx, { min, max } = u.scales.x;
      const px = (t) => u.valToPos(t, 'x', true), py = (s) => u.valToPos(s, 'y', true);
      const dpr = window.devicePixelRatio || 1;
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      // SACK holes: from the report, seq..seq+bytes open for fill_ms
      ctx.fillStyle = 'rgba(255,179,0,0.45)';
      for (const h of holes) { // at least 6 px tall: a segment is thinner than a pixel on a long flow
        const x0 = px(h.rt), x1 = px(h.rt + h.fill_ms / 1000);
        const y0 = py(h.seq), y1 = py(h.seq + h.bytes), hh = Math.max(6 * dpr, y0 - y1);
        ctx.fillRect(x0, (y0 + y1) / 2 - hh / 2, Math.max(1, x1 - x0), hh);
      }
      ctx.lineWidth = 1.5 * dpr;
      ctx.strokeStyle = '#43a047';
      for (const s of sacks) {
        if (s[0] < min || s[0] > max) continue;
        const x = px(s[0]);
        ctx.beginPath(); ctx.moveTo(x, py(s[1])); ctx.lineTo(x, py(s[2])); ctx.stroke();
      }
      for (const p of data) {
        if (p[0] < min || p[0] > max) continue;
        const f = p[3];
        ctx.strokeStyle = f & F_CSUM_BAD ? SEG.bad : f & F_RETRANS ? SEG.retrans : f & F_GIANT ? SEG.giant
          : f & F_CSUM_OFFLOAD ? SEG.offload : SEG.plain;
        ctx.lineWidth = (f & F_GIANT ? 3 : 1.5) * dpr;
        const x = px(p[0]), y0 = py(p[1]), y1 = py(p[2]);
        ctx.beginPath();
        ctx.moveTo(x, y0); ctx.lineTo(x, Math.min(y1, y0 - 1));
        ctx.moveTo(x - 2 * dpr, y1); ctx.lineTo(x + 2 * dpr, y1);
        ctx.stroke();
      }
      // the handshake: the SYN (the first packet, when the capture holds it),
      // each SYN or SYN-ACK sent again, and the ACK that completed it
      ctx.lineWidth = 1 * dpr;
      ctx.font = `${10 * dpr}px system-ui, sans-serif`;
      ctx.textAlign = 'left'; // uPlot leaves it as its last axis set it
      ctx.textBaseline = 'alphabetic';
      const placed = []; // labels drawn: a close one goes a line lower
      const mark = (t, color, label) => {
        const x = px(t);
        if (x < u.bbox.left - 2 * dpr || x > u.bbox.left + u.bbox.width + 2 * dpr) return;
        ctx.strokeStyle = color;
        ctx.fillStyle = color;
        ctx.setLineDash([3 * dpr, 3 * dpr]);
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.setLineDash([]);
        const wdt = ctx.measureText(label).width;
        const lx = Math.min(x + 3 * dpr, u.bbox.left + u.bbox.width - wdt - 2 * dpr);
        let line = 0;
        while (placed.some((p) => p.line === line && lx < p.x1 + 6 * dpr && lx + wdt > p.x0 - 6 * dpr)) line++;
        placed.push({ x0: lx, x1: lx + wdt, line });
        ctx.fillText(label, lx, u.bbox.top + (12 + 12 * line) * dpr);
      };
      if (flow.client_from_syn) mark(g.sampled ? 0 : flow.first_ts - base, '#546e7a', 'SYN');
      for (const e of synAgain) mark(e.rt, '#c62828', e.dir === 'c2s' ? 'SYN again' : 'SYN-ACK again');
      if (flow.handshake_ms != null && flow.client_from_syn) {
        mark((g.sampled ? 0 : flow.first_ts - base) + flow.handshake_ms / 1000, '#546e7a', 'handshake done');
      }
      ctx.fillStyle = SEG.retrans;
      for (const r of retrans) {
        const x = px(r.rt), y = py(r.seq + r.bytes);
        ctx.beginPath(); ctx.arc(x, y, 3.5 * dpr, 0, 2 * Math.PI); ctx.fill();
      }
      ctx.fillStyle = SEG.bad;
      for (const c of csum) {
        const x = px(c.rt), y = u.bbox.top + 2 * dpr;
        ctx.beginPath(); ctx.moveTo(x, y + 9 * dpr); ctx.lineTo(x - 5 * dpr, y); ctx.lineTo(x + 5 * dpr, y);
        ctx.fill();
      }
      ctx.restore();
    };
    const stepped = uPlot.paths.stepped({ align: 1 });
    const opts = {
      title: `Time-sequence (${dir}: data from ${dir === 'c2s' ? flow.client : flow.server})`,
      width: chartWidth(), height: 340,
      scales: { x: { time: false }, y: { range: yRange } },
      axes: [{ label: 'time since the first packet (s)', values: timeTicks }, { label: 'relative sequence (bytes)', size: 80 }],
      series: [
        { label: 't (s)', value: (u, v) => (v == null ? '' : v.toFixed(6)) },
        { label: 'ACK', stroke: '#2e7d32', width: 1.5, paths: stepped, points: { show: false }, spanGaps: true },
        { label: 'receive window', stroke: '#8e24aa', width: 1, dash: [6, 4], paths: stepped, points: { show: false },
          spanGaps: true },
      ],
      cursor: { drag: { x: true, y: false, setScale: true } },
      hooks: {
        drawClear: [(u) => shadeStalls(u, stalls)],
        draw: [drawSegments],
        setScale: [link],
        setCursor: [(u) => hover(u, tip, data, acks, holes, stalls)],
      },
    };
    const tip = el('div', { class: 'hovertip' });
    const div = el('div', { class: 'chart tseq', 'data-flow': String(flow.id) });
    box.appendChild(div);
    const u = new uPlot(opts, [xs, ackY, winY], div);
    u.over.appendChild(tip);
    zoomPan(u);
    const note = el('div', { class: 'legend-note' });
    const key = (color, text) => {
      const k = el('span', { class: 'key' });
      k.style.background = color;
      note.appendChild(k);
      note.appendChild(document.createTextNode(text));
    };
    key(SEG.plain, 'data segment'); key(SEG.retrans, 'retransmission'); key(SEG.bad, 'bad checksum (▼ corrupt)');
    key(SEG.offload, 'offload artifact'); key(SEG.giant, 'giant (TSO/GRO)'); key('#43a047', 'SACK block');
    key('rgba(255,193,7,0.6)', 'SACK hole until filled');
    for (const c of Object.keys(STALL_COLORS)) if (stalls.some((s) => s.cause === c)) key(STALL_COLORS[c], 'stall: ' + c);
    note.appendChild(document.createTextNode(` — ${g[dir].data.length} data points, ${g[other].acks.length} ACK points` +
      ' (decimated per time bucket, extremes kept)'));
    box.appendChild(note);
    return u;
  }

  function cwndChart(box, flow, dir, base, evs, link) {
    const rounds = ((flow.cwnd_rounds || {})[dir]) || [];
    if (!rounds.length) {
      box.appendChild(el('p', { class: 'nodata' }, 'No congestion-window rounds for ' + dir + '.'));
      return null;
    }
    const xs = rounds.map((r) => r.t - base);
    const ys = rounds.map((r) => r.flight_bytes);
    const segs = rounds.map((r) => r.flight_segments);
    const mine = evs.filter((e) => e.dir === dir);
    const reductions = mine.filter((e) => e.kind === 'cwnd_reduction' || e.kind === 'idle_restart');
    const stalls = evs.filter((e) => e.kind === 'stall').map((e) => ({ t: e.rt, ms: e.duration_ms, cause: e.cause }));
    const bands = (u) => {
      shadeStalls(u, stalls);
      const ctx = u.ctx;
      for (let i = 0; i < rounds.length; i++) {
        const x0 = u.valToPos(xs[i], 'x', true);
        const x1 = i + 1 < rounds.length ? u.valToPos(xs[i + 1], 'x', true) : u.bbox.left + u.bbox.width;
        ctx.fillStyle = PHASE_BANDS[rounds[i].phase] || 'transparent';
        ctx.fillRect(x0, u.bbox.top, Math.max(0, x1 - x0), u.bbox.height);
      }
    };
    const marks = (u) => {
      const ctx = u.ctx, dpr = window.devicePixelRatio || 1;
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      for (let i = 0; i < rounds.length; i++) {
        ctx.fillStyle = PHASE_COLORS[rounds[i].phase] || '#555';
        const x = u.valToPos(xs[i], 'x', true), y = u.valToPos(ys[i], 'y', true);
        ctx.beginPath();
        if (rounds[i].limit === 'rwnd') ctx.rect(x - 3.5 * dpr, y - 3.5 * dpr, 7 * dpr, 7 * dpr);
        else ctx.arc(x, y, 3.5 * dpr, 0, 2 * Math.PI);
        ctx.fill();
      }
      ctx.strokeStyle = '#c62828';
      ctx.lineWidth = 2 * dpr;
      for (const r of reductions) {
        const x = u.valToPos(r.rt, 'x', true);
        const y0 = u.valToPos(r.before_bytes, 'y', true), y1 = u.valToPos(r.after_bytes, 'y', true);
        ctx.beginPath();
        ctx.moveTo(x, y0); ctx.lineTo(x, y1);
        ctx.moveTo(x - 4 * dpr, y1 - 5 * dpr); ctx.lineTo(x, y1); ctx.lineTo(x + 4 * dpr, y1 - 5 * dpr);
        ctx.stroke();
      }
      ctx.restore();
    };
    const opts = {
      title: `Flight per round (${dir}), cc guess: ${flow.cc_guess}`,
      width: chartWidth(), height: 220,
      scales: { x: { time: false }, y: { range: (u, lo, hi) => [0, Math.max(hi || 0, 1) * 1.08] } },
      axes: [{ label: 'time since the first packet (s)', values: timeTicks }, { label: 'bytes in flight', size: 80 }],
      series: [
        { label: 't (s)', value: (u, v) => (v == null ? '' : v.toFixed(6)) },
        { label: 'flight bytes', stroke: '#37474f', width: 1.5, paths: uPlot.paths.stepped({ align: 1 }),
          points: { show: false } },
        { label: 'segments', scale: 'seg', show: false, stroke: '#78909c' },
      ],
      cursor: { drag: { x: true, y: false, setScale: true } },
      hooks: { drawClear: [bands], draw: [marks], setScale: [link] },
    };
    const div = el('div', { class: 'chart cwnd', 'data-flow': String(flow.id) });
    box.appendChild(div);
    const u = new uPlot(opts, [xs, ys, segs], div);
    zoomPan(u);
    const note = el('div', { class: 'legend-note' });
    for (const [p, c] of Object.entries(PHASE_COLORS)) {
      const k = el('span', { class: 'key' });
      k.style.background = c;
      note.appendChild(k);
      note.appendChild(document.createTextNode(p.replace(/_/g, ' ')));
    }
    note.appendChild(document.createTextNode(' — ● limited by cwnd/other, ■ by the receive window; ' +
      'red arrows: reductions and idle restarts (' + reductions.length + ')'));
    box.appendChild(note);
    return u;
  }

  // One graphed flow's charts for one direction (the box's charts area is
  // drawn anew when the direction is switched).
  function drawFlowCharts(area, g, flow, dir, evs, budget) {
    area.textContent = '';
    const base = g.sampled ? g.t0 : flow.first_ts;
    for (const e of evs) e.rt = e.ts - base;
    const charts = [];
    const link = linkX(charts);
    if (g.sampled) {
      const u = timeSeqChart(area, g, flow, dir, base, evs, link);
      if (u) charts.push(u);
    } else {
      area.appendChild(el('p', { class: 'nodata' }, 'Segments not sampled: more flows were open at once than ' +
        'the sampler follows (' + budget.slots + ').'));
    }
    const c = cwndChart(area, flow, dir, base, evs, link);
    if (c) charts.push(c);
  }

  function flowGraphs(rep, samples, byFlow, flowsById, rowsById) {
    const host = $('flow-graphs');
    const graphs = samples.graphs || [];
    if (!graphs.length) host.appendChild(el('p', { class: 'nodata' }, 'No TCP connections.'));
    let n = 0;
    for (const g of graphs) {
      const flow = flowsById.get(g.flow);
      if (!flow) continue;
      const evs = (byFlow.get(flow.id) || []);
      const row = rowsById.get(flow.id) || {};
      const box = el('div', { class: 'flowbox', id: 'flow-' + flow.id });
      const st = flow.stalls || {};
      box.appendChild(el('h3', {}, `#${++n} flow ${flow.id}: ${flow.client} → ${flow.server}` + encapText(flow)));
      box.appendChild(el('div', { class: 'meta' },
        `${flow.packets} packets, ${fmtBytes(flow.bytes)}, ${flow.retransmissions ?? 0} retransmissions, ` +
        `${st.count || 0} stalls (${fmtMs(st.total_ms || 0)} ms), RTT p50 ${fmtMs((flow.rtt_ms || {}).p50)} ms, ` +
        `${plural(flow.events ?? evs.length, 'event')}` +
        (evs.length < (flow.events ?? 0) ? ` (the first ${evs.length} drawn)` : '') +
        `, Wireshark: ${convFilter(flow)}`));
      // The direction tcplens charts (the side holding the findings), and
      // a switch to the other.
      let dir = g.chart_dir || row.chart_dir || 'c2s';
      const sw = el('div', { class: 'dirswitch' });
      const area = el('div', { class: 'charts' });
      const buttons = {};
      for (const d of ['c2s', 's2c']) {
        const b = el('button', { type: 'button', 'data-dir': d },
          d === 'c2s' ? `client → server (${flow.client})` : `server → client (${flow.server})`);
        b.addEventListener('click', () => {
          dir = d;
          for (const [k, x] of Object.entries(buttons)) x.className = k === dir ? 'on' : '';
          drawFlowCharts(area, g, flow, dir, evs, samples.budget);
        });
        buttons[d] = b;
        sw.appendChild(b);
      }
      buttons[dir].className = 'on';
      sw.appendChild(document.createTextNode((g.chart_both ?? row.chart_both)
        ? ' — both sides hold findings'
        : ' — charted: the side that sent data, or the one holding the findings, or the busier sender'));
      box.appendChild(sw);
      box.appendChild(area);
      host.appendChild(box);
      drawFlowCharts(area, g, flow, dir, evs, samples.budget);
    }
    return n;
  }

  // ---- Wireshark filters ----

  // "10.0.0.1:80" or "[2001:db8::1]:80" -> [addr, port, v6]
  function splitEndpoint(ep) {
    const m = /^\[(.*)\]:(\d+)$/.exec(ep) || /^(.*):(\d+)$/.exec(ep);
    return m ? [m[1], m[2], ep.startsWith('[')] : [ep, '', false];
  }

  // The conversation of a flow (or an event with its endpoints), as a
  // display filter: both addresses and both ports.
  function convFilter(x) {
    if (!x.client || !x.server) return '';
    const [a, p, v6] = splitEndpoint(x.client), [b, q] = splitEndpoint(x.server);
    const ip = v6 ? 'ipv6.addr' : 'ip.addr', l4 = (x.proto || 'tcp') === 'udp' ? 'udp.port' : 'tcp.port';
    return `${ip}==${a} && ${ip}==${b} && ${l4}==${p} && ${l4}==${q}`;
  }

  // ---- the events table ----

  const EVENT_PAGE = 100;

  function eventsTable(evb, first_ts) {
    const box = $('events-box');
    const rows = (evb.rows || []).slice().sort((a, b) => a.frame - b.frame || a.kind.localeCompare(b.kind));
    const byKind = evb.by_kind || {};
    const kindsPresent = Object.keys(byKind).sort();
    if (!kindsPresent.length) {
      box.appendChild(el('p', { class: 'nodata' }, 'No events.'));
      return;
    }
    const bar = el('div', { class: 'evbar' });
    const sel = el('select', { id: 'events-kind' });
    sel.appendChild(el('option', { value: '' }, `every kind (${evb.events})`));
    for (const k of kindsPresent) sel.appendChild(el('option', { value: k }, `${k} (${byKind[k]})`));
    bar.appendChild(document.createTextNode('Kind: '));
    bar.appendChild(sel);
    const note = el('span', { class: 'legend-note' });
    bar.appendChild(note);
    box.appendChild(bar);
    const wrap = el('div', { class: 'tablewrap' });
    const table = el('table', { class: 'flows', id: 'events-table' });
    const head = el('tr');
    for (const h of ['frame', 'time (s)', 'flow', 'dir', 'kind', 'severity', 'what', 'Wireshark filter']) {
      head.appendChild(el('th', { class: ['what', 'Wireshark filter', 'kind', 'severity'].includes(h) ? 'l' : '' }, h));
    }
    table.appendChild(el('thead')).appendChild(head);
    const tbody = el('tbody');
    table.appendChild(tbody);
    wrap.appendChild(table);
    box.appendChild(wrap);
    const more = el('button', { type: 'button', id: 'events-more' }, 'show more');
    box.appendChild(more);
    let shown = EVENT_PAGE;
    function draw() {
      const k = sel.value;
      const list = k ? rows.filter((e) => e.kind === k) : rows;
      tbody.textContent = '';
      for (const e of list.slice(0, shown)) {
        const tr = el('tr', { class: 'sev-' + e.severity });
        const cells = [String(e.frame), e.ts != null && first_ts != null ? (e.ts - first_ts).toFixed(6) : '',
          e.flow == null ? '' : String(e.flow), e.dir || '', e.kind + (e.cause ? ' / ' + e.cause : ''),
          e.severity || '', e.text || ''];
        cells.forEach((c, i) => tr.appendChild(el('td', { class: i >= 4 ? 'l' : '' }, c)));
        const td = el('td', { class: 'l' });
        td.appendChild(el('code', {}, `frame.number == ${e.frame}`));
        const conv = convFilter(e);
        if (conv) {
          td.appendChild(document.createTextNode(' '));
          td.appendChild(el('code', { class: 'conv' }, conv));
        }
        tr.appendChild(td);
        tbody.appendChild(tr);
      }
      const total = k ? byKind[k] : evb.events;
      note.textContent = ` ${Math.min(shown, list.length)} of ${list.length} listed` +
        (list.length < total ? ` (of ${total}: the page keeps the first ${evb.per_kind_max} of each kind; ` +
          '--format json lists them all)' : '') + '. Paste a filter into Wireshark, or tshark -Y.';
      more.style.display = list.length > shown ? '' : 'none';
    }
    sel.addEventListener('change', () => { shown = EVENT_PAGE; draw(); });
    more.addEventListener('click', () => { shown += EVENT_PAGE; draw(); });
    draw();
  }

  // ---- distributions ----

  function distributions(dist) {
    const box = $('dist-box');
    for (const [key, d] of Object.entries(dist || {})) {
      const fig = el('div', { class: 'dist', 'data-dist': key });
      fig.appendChild(el('div', { class: 'dist-title' }, `${d.what} (${d.n})`));
      const bars = el('div', { class: 'bars' });
      const max = Math.max(1, ...d.counts);
      const edge = (i) => (i < 0 ? '' : String(d.edges[i]));
      d.counts.forEach((n, i) => {
        const label = i === 0 ? `< ${edge(0)}` : i === d.edges.length ? `≥ ${edge(i - 1)}` : `${edge(i - 1)}–${edge(i)}`;
        const col = el('div', { class: 'bar', title: `${label} ${d.unit}: ${n}` });
        const fill = el('div', { class: 'fill' });
        fill.style.height = (n ? Math.max(2, Math.round(100 * n / max)) : 0) + '%';
        col.appendChild(fill);
        bars.appendChild(col);
      });
      fig.appendChild(bars);
      // ticks at the bucket edges that are powers of ten (ms: 0.1 ms ... 100 s)
      const axis = el('div', { class: 'bars-axis' });
      const nb = d.counts.length;
      d.edges.forEach((v, i) => {
        const lg = Math.log10(v);
        if (v <= 0 || Math.abs(lg - Math.round(lg)) > 1e-9 || (d.unit === 'ms' && lg % 1 === 0 && lg < -1)) return;
        const txt = d.unit === 'ms' && v >= 1000 ? `${v / 1000} s` : `${v}${d.unit === '%' ? '%' : ''}`;
        const t = el('span', { class: 'tick' }, txt);
        t.style.left = (100 * (i + 1) / nb) + '%';
        axis.appendChild(t);
      });
      fig.appendChild(axis);
      fig.appendChild(el('div', { class: 'bars-unit' }, d.unit === 'ms' ? 'ms (log scale)' : 'percent (log scale)'));
      if (!d.n) fig.appendChild(el('div', { class: 'nodata' }, 'none'));
      box.appendChild(fig);
    }
  }

  function main() {
    const rep = JSON.parse($('tcplens-report').textContent);
    const table = JSON.parse($('tcplens-table').textContent);
    const evb = JSON.parse($('tcplens-events').textContent);
    const dist = JSON.parse($('tcplens-dist').textContent);
    const samples = JSON.parse($('tcplens-samples').textContent);
    header(rep);
    findings(rep);
    distributions(dist);
    const byFlow = new Map();
    for (const e of rep.events || []) {
      if (e.flow == null) continue;
      if (!byFlow.has(e.flow)) byFlow.set(e.flow, []);
      byFlow.get(e.flow).push(e);
    }
    const flowsById = new Map((rep.flows || []).map((f) => [f.id, f]));
    const rowsById = new Map();
    // the C code ranked them: worst first
    const rows = (table.rows || []).map((f, i) => {
      rowsById.set(f.id, f);
      return {
        rank: i + 1, id: f.id, client: f.client, server: f.server, packets: f.packets, bytes: f.bytes,
        inside: encapText(f).replace(/^, (inside|over) /, (m, w) => (w === 'over' ? 'over ' : ''))
          .replace(/, tunnel [^,]*/, ''),
        retrans: f.retransmissions ?? 0, stalls: f.stalls ?? 0, stalled_ms: f.stalled_ms ?? 0,
        rtt: f.rtt_p50_ms, cc: f.cc_guess || f.proto, events: f.events ?? 0,
      };
    });
    const graphed = new Set((samples.graphs || []).map((g) => g.flow));
    flowsTable(rows, graphed, table);
    eventsTable(evb, (rep.capture || {}).first_ts);
    const n = flowGraphs(rep, samples, byFlow, flowsById, rowsById);
    document.body.setAttribute('data-graphs', String(n));
    document.body.setAttribute('data-rendered', 'yes');
  }

  try {
    main();
  } catch (e) {
    fail(e);
  }
})();
