// html/test/browser_test.js — the HTML report in a real browser.
//   node browser_test.js TCPLENS SAMPLES_DIR OUT_DIR [GEN_HOSTILE]
// For four samples and, with GEN_HOSTILE, a generated capture of 400,000
// short connections: writes the report (-o NAME.html), checks it is
// deterministic, bounded (the big one under 10 MB) and that its data blocks
// are JSON without '<'; that the events table's frame filters pick, in
// tshark, a frame of the event's conversation; then loads each page in
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core,
// no network) and checks: no console errors or page errors, the findings
// text present, the distributions drawn, the flows table filled and
// sortable, the events table filled and filtered by kind, the expected
// uPlot canvases present with non-blank pixels, the direction switch
// redrawing them; keeps OUT_DIR/NAME.png as the test's artifact. Exit 77
// (ctest: skipped) when chromium or playwright-core is missing.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const [tcplens, samples, outDir, genHostile] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node browser_test.js TCPLENS SAMPLES_DIR OUT_DIR');
  process.exit(2);
}
const SKIP = 77;
const CASES = [
  { name: 'bottleneck', findings: ['retransmission'], minTseq: 1 },
  { name: 'loss_sender', findings: ['retransmission', 'sack_gap'], minTseq: 1 },
  { name: 'nagle', findings: ['stall'], minTseq: 1 },
  // its diagnosis quotes commands in backticks: drawn as code
  { name: 'offload_tx', findings: ['csum_offload'], minTseq: 1, code: true },
];
const BLOCKS = ['tcplens-report', 'tcplens-table', 'tcplens-events', 'tcplens-dist', 'tcplens-samples',
  'tcplens-vocabulary'];
const MAX_PAGE = 10 * 1000 * 1000;
let failures = 0, passed = 0;
function check(ok, what) {
  if (ok) passed++;
  else failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
}

fs.mkdirSync(outDir, { recursive: true });

// ---- the file itself ----
function block(html, id) {
  const open = `<script type="application/json" id="${id}">`;
  const i = html.indexOf(open);
  const j = html.indexOf('</script>', i);
  return i < 0 || j < 0 ? null : html.slice(i + open.length, j);
}
// The big one: 400,000 connections of 8 frames, generated (3.2 M frames).
if (genHostile) {
  const big = path.join(outDir, 'crr400k.pcap');
  execFileSync(genHostile, ['crr', big, '--packets', '3200000', '--seed', '1']);
  CASES.push({ name: 'crr400k', pcap: big, findings: [], minTseq: 1, big: true, flows: 400000 });
}
for (const c of CASES) {
  const pcap = c.pcap || path.join(samples, c.name + '.pcap');
  const out = path.join(outDir, c.name + '.html');
  execFileSync(tcplens, ['-r', pcap, '-o', out]);
  const again = execFileSync(tcplens, ['-r', pcap, '--format', 'html'], { maxBuffer: 1 << 28 });
  const html = fs.readFileSync(out);
  check(Buffer.compare(html, again) === 0, `${c.name}: same input, same bytes (-o .html and --format html)`);
  const text = html.toString('utf8');
  check(!/(src|href)=["']?(https?:)?\/\//i.test(text), `${c.name}: no external resources`);
  const data = {};
  for (const id of BLOCKS) {
    const b = block(text, id);
    let ok = b !== null && !b.includes('<');
    try { data[id] = JSON.parse(b); } catch (e) { ok = false; }
    check(ok, `${c.name}: #${id} is JSON without '<'`);
  }
  check(html.length < MAX_PAGE, `${c.name}: the page is ${html.length} bytes (< ${MAX_PAGE})`);
  const rep = data['tcplens-report'] || {}, table = data['tcplens-table'] || {};
  if (c.big) {
    // too big a document for one string: its JSONL lines, counted
    const count = (type) => Number(execFileSync('sh', ['-c',
      `"$0" -q -r "$1" --format jsonl | grep -c '^{"type":"${type}"' || true`, tcplens, pcap]).toString());
    const flows = count('flow'), events = count('event');
    check(table.flows === flows && table.flows === c.flows && (rep.page || {}).events === events &&
      (table.rows || []).length === table.max,
    `${c.name}: the page counts the report's ${flows} flows and ${events} events, ${table.max} rows`);
  } else {
    const json = JSON.parse(execFileSync(tcplens, ['-r', pcap, '--format', 'json'], { maxBuffer: 1 << 28 }));
    check(table.flows === json.capture.flows && (rep.page || {}).events === json.events.length,
      `${c.name}: the page counts the report's ${json.capture.flows} flows and ${json.events.length} events`);
    // The table is the JSON's flows ranked: each row's numbers are its flow's.
    const byId = new Map(json.flows.map((f) => [f.id, f]));
    const bad = (table.rows || []).filter((r) => {
      const f = byId.get(r.id);
      return !f || f.packets !== r.packets || f.bytes !== r.bytes || (f.events ?? 0) !== r.events ||
        f.client !== r.client || f.server !== r.server;
    });
    check((table.rows || []).length === Math.min(json.flows.length, table.max) && bad.length === 0,
      `${c.name}: ${(table.rows || []).length} table rows, each as the JSON report says (${bad.length} differ)`);
  }
  c.data = data;
}
// Each event's frame filter, in tshark, picks a frame of that event's
// conversation (the filters a user pastes work).
try {
  execFileSync('tshark', ['-v'], { stdio: 'ignore' });
  for (const c of CASES.filter((x) => !x.big)) {
    const rows = ((c.data['tcplens-events'] || {}).rows || []).filter((e) => e.client).slice(0, 5);
    for (const e of rows) {
      const out = execFileSync('tshark', ['-n', '-r', c.pcap || path.join(samples, c.name + '.pcap'),
        '-Y', `frame.number == ${e.frame}`, '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.dstport',
        '-e', 'udp.srcport', '-e', 'udp.dstport'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim()
        .split(/\s+/);
      const ports = [e.client, e.server].map((x) => x.slice(x.lastIndexOf(':') + 1));
      check(out.length >= 2 && ports.every((p) => out.includes(p)),
        `${c.name}: tshark -Y "frame.number == ${e.frame}" is in ${e.client} ↔ ${e.server} (ports ${out.join(' ')})`);
    }
  }
} catch (e) {
  console.log(`SKIP tshark cross-check of the filters: ${e.message}`);
}
for (const c of CASES.filter((x) => x.big)) fs.unlinkSync(c.pcap); // 400 MB
// A '<' in the source name stays inside its JSON string.
{
  const tricky = path.join(outDir, 'x<!--y.pcap');
  fs.copyFileSync(path.join(samples, 'bottleneck.pcap'), tricky);
  const html = execFileSync(tcplens, ['-r', tricky, '--format', 'html'], { maxBuffer: 1 << 28 }).toString();
  const b = block(html, 'tcplens-report');
  let name = null;
  try { name = JSON.parse(b).source.name; } catch (e) { /* fails below */ }
  check(name === tricky && !b.includes('<'), "a '<' in the source name is escaped as \\u003c");
  fs.unlinkSync(tricky);
}

// ---- the browser ----
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
let pw;
try {
  pw = require('playwright-core');
} catch (e) {
  console.log(`SKIP browser checks: playwright-core not installed (npm ci in html/): ${e.message}`);
  console.log(`${passed} passed, ${failures} failed`);
  process.exit(failures ? 1 : SKIP);
}
if (!fs.existsSync(CHROMIUM)) {
  console.log(`SKIP browser checks: no ${CHROMIUM} (scripts/deps.sh test installs Debian's chromium)`);
  console.log(`${passed} passed, ${failures} failed`);
  process.exit(failures ? 1 : SKIP);
}

async function browse() {
  const profile = fs.mkdtempSync(path.join(require('os').tmpdir(), 'tcplens-chromium-'));
  const ctx = await pw.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
    viewport: { width: 1300, height: 900 },
    offline: true,
  });
  try {
    for (const c of CASES) {
      const page = await ctx.newPage();
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => { if (!r.url().startsWith('file:')) errors.push('network request: ' + r.url()); });
      const file = path.resolve(outDir, c.name + '.html');
      const t0 = Date.now();
      await page.goto('file://' + file, { waitUntil: 'load', timeout: 20000 });
      await page.waitForSelector('body[data-rendered="yes"]', { timeout: 10000 }).catch(() => {});
      const loadMs = Date.now() - t0;
      if (c.big) check(loadMs < 5000, `${c.name}: loaded and drawn in ${loadMs} ms`);
      const r = await page.evaluate(() => {
        const blank = (cv) => {
          const g = cv.getContext('2d');
          const d = g.getImageData(0, 0, cv.width, cv.height).data;
          let ink = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200)) ink++;
          return ink;
        };
        const canv = (sel) => Array.from(document.querySelectorAll(sel + ' canvas'));
        return {
          rendered: document.body.getAttribute('data-rendered'),
          graphs: Number(document.body.getAttribute('data-graphs') || 0),
          findings: document.getElementById('findings').innerText,
          codes: document.querySelectorAll('#findings code').length,
          rows: document.querySelectorAll('#flows-table tbody tr').length,
          evrows: document.querySelectorAll('#events-table tbody tr').length,
          dists: Array.from(document.querySelectorAll('.dist')).map((d) =>
            Array.from(d.querySelectorAll('.fill')).filter((f) => f.getBoundingClientRect().height > 0).length),
          tseq: canv('.chart.tseq').map(blank),
          cwnd: canv('.chart.cwnd').map(blank),
          error: document.getElementById('error').innerText,
        };
      });
      check(errors.length === 0 && !r.error, `${c.name}: no console errors` +
        (errors.length || r.error ? ': ' + errors.concat(r.error || []).join(' | ') : ''));
      check(r.rendered === 'yes' && r.graphs >= 1, `${c.name}: page rendered, ${r.graphs} flow(s) graphed`);
      for (const k of c.findings) check(r.findings.includes(k), `${c.name}: finding "${k}" in the diagnosis`);
      check(!r.findings.includes('`'), `${c.name}: no literal backticks in the diagnosis`);
      if (c.code) check(r.codes >= 1, `${c.name}: commands in the diagnosis drawn as code (${r.codes})`);
      check(r.rows >= 1, `${c.name}: flows table has ${r.rows} row(s)`);
      const evb = c.data['tcplens-events'] || {};
      check(r.evrows === Math.min(100, (evb.rows || []).length),
        `${c.name}: events table shows ${r.evrows} of ${(evb.rows || []).length} row(s)`);
      check(r.dists.length === 4 && r.dists.some((n) => n > 0),
        `${c.name}: distributions drawn (bars per chart: ${r.dists.join(', ')})`);
      const kinds = Object.keys(evb.by_kind || {});
      if (kinds.length) {
        const k = kinds[kinds.length - 1];
        await page.selectOption('#events-kind', k);
        const shown = await page.$$eval('#events-table tbody tr td:nth-child(5)', (tds) => tds.map((t) => t.textContent));
        check(shown.length > 0 && shown.every((t) => t.startsWith(k)), `${c.name}: events filtered to ${k} (${shown.length})`);
      }
      check(r.tseq.length >= c.minTseq && r.tseq.every((n) => n > 500),
        `${c.name}: time-sequence canvases drawn (inked pixels ${r.tseq.join(', ')})`);
      check(r.cwnd.length >= 1 && r.cwnd.every((n) => n > 200),
        `${c.name}: flight-per-round canvases drawn (inked pixels ${r.cwnd.join(', ')})`);
      // sort the table by bytes (click), then zoom the first graph by wheel
      await page.click('#flows-table th[data-key="bytes"]');
      const sorted = await page.$eval('#flows-table th[data-key="bytes"]', (th) => th.className);
      check(/sorted-/.test(sorted), `${c.name}: table sorts on a header click`);
      const over = await page.$('.chart.tseq .u-over');
      if (over) {
        const before = await page.evaluate(() => document.querySelector('.chart.tseq .u-axis') !== null);
        const box = await over.boundingBox();
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.wheel(0, -300);
        check(before, `${c.name}: wheel zoom works without errors`);
        await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
      }
      // hovering the time-sequence graph names what is under the pointer
      // (the samples' graphs: a 10-frame flow's few points a grid misses)
      if (over && !c.big) {
        await over.scrollIntoViewIfNeeded();
        const box = await over.boundingBox();
        let tip = '';
        for (let i = 0; i < 60 && !tip; i++) {
          await page.mouse.move(box.x + box.width * ((i % 12) + 0.5) / 12, box.y + box.height * (Math.floor(i / 12) + 0.5) / 5);
          tip = await page.$eval('.chart.tseq .hovertip', (e) => (e.style.display === 'block' ? e.textContent : ''));
        }
        check(/^frame \d+: (data|ACK|SACK hole|stall)/.test(tip), `${c.name}: hover shows a frame ("${tip.slice(0, 80)}")`);
      }
      // the other direction: the first graph's charts drawn anew
      const other = await page.$('.flowbox .dirswitch button:not(.on)');
      if (other) {
        await other.click();
        const inked = await page.evaluate(() => Array.from(document.querySelectorAll('.flowbox')[0]
          .querySelectorAll('canvas')).length);
        const on = await page.$eval('.flowbox .dirswitch button.on', (b) => b.getAttribute('data-dir'));
        check(inked >= 1 && on, `${c.name}: the direction switch redraws the first graph (${on}, ${inked} canvases)`);
        await page.click('.flowbox .dirswitch button:not(.on)');
      }
      const shot = path.join(outDir, c.name + '.png');
      await page.screenshot({ path: shot, fullPage: !c.big });
      check(fs.statSync(shot).size > 10000, `${c.name}: screenshot ${shot}`);
      check(errors.length === 0, `${c.name}: still no console errors after interaction`);
      await page.close();
    }
  } finally {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

browse().then(() => {
  console.log(`${passed} passed, ${failures} failed`);
  process.exit(failures ? 1 : 0);
}, (e) => {
  console.log(`FAIL browser: ${e.stack || e}`);
  console.log(`${passed} passed, ${failures + 1} failed`);
  process.exit(1);
});
