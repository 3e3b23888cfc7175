// html/test/browser_test.js — the HTML report in a real browser.
//   node browser_test.js TCPLENS SAMPLES_DIR OUT_DIR
// For samples/bottleneck.pcap and samples/loss_sender.pcap: writes the
// report (-o NAME.html), checks it is deterministic and that its data blocks
// hold no '<'; then loads it in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core, no network) and checks: no console errors or
// page errors, the findings text present, the flows table filled and
// sortable, the expected uPlot canvases present with non-blank pixels; keeps
// OUT_DIR/NAME.png as the test's artifact. Exit 77 (ctest: skipped) when
// chromium or playwright-core is missing.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const [tcplens, samples, outDir] = process.argv.slice(2);
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
for (const c of CASES) {
  const pcap = path.join(samples, c.name + '.pcap');
  const out = path.join(outDir, c.name + '.html');
  execFileSync(tcplens, ['-r', pcap, '-o', out]);
  const again = execFileSync(tcplens, ['-r', pcap, '--format', 'html'], { maxBuffer: 1 << 28 });
  const html = fs.readFileSync(out);
  check(Buffer.compare(html, again) === 0, `${c.name}: same input, same bytes (-o .html and --format html)`);
  const text = html.toString('utf8');
  check(!/(src|href)=["']?(https?:)?\/\//i.test(text), `${c.name}: no external resources`);
  for (const id of ['tcplens-report', 'tcplens-samples']) {
    const b = block(text, id);
    let ok = b !== null && !b.includes('<');
    try { JSON.parse(b); } catch (e) { ok = false; }
    check(ok, `${c.name}: #${id} is JSON without '<'`);
  }
}
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
      await page.goto('file://' + file, { waitUntil: 'load', timeout: 20000 });
      await page.waitForSelector('body[data-rendered="yes"]', { timeout: 10000 }).catch(() => {});
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
      const shot = path.join(outDir, c.name + '.png');
      await page.screenshot({ path: shot, fullPage: true });
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
