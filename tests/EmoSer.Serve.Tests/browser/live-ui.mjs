// Live mode in Debian's chromium (headless): the fake microphone plays WAV_PATH (in a loop), the page streams it to
// the server's WebSocket /stream and draws the rolling timeline. Waits for RESULTS results, stops, saves a screenshot
// and prints {"results": [...], "rects", "shown_emotion", "status", "errors"} as JSON.
// Usage: node live-ui.mjs BASE_URL WAV_PATH RESULTS SCREENSHOT_PATH [CHROMIUM_PATH]
import { chromium } from 'playwright-core';

const [baseUrl, wavPath, wanted, screenshotPath, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
if (!baseUrl || !wavPath || !wanted || !screenshotPath) {
  console.error('usage: node live-ui.mjs BASE_URL WAV_PATH RESULTS SCREENSHOT_PATH [CHROMIUM_PATH]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${wavPath}`],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 }, deviceScaleFactor: 1 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  // Every message the page receives on its WebSocket, as sent.
  const results = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => { if (typeof f.payload === 'string') results.push(JSON.parse(f.payload)); }));
  await page.goto(baseUrl, { waitUntil: 'networkidle' });
  await page.click('#live');
  await page.waitForFunction(() => document.querySelector('#live').classList.contains('on'), null, { timeout: 30000 });
  await page.waitForFunction((n) => Number(document.querySelector('#live-timeline').dataset.count) >= n, Number(wanted), { timeout: 120000 });
  const shown = await page.evaluate(() => ({
    rects: document.querySelectorAll('#live-timeline svg rect').length,
    rect_emotions: [...document.querySelectorAll('#live-timeline svg rect')].map((r) => r.dataset.emotion),
    shown_emotion: document.querySelector('#live-emotion').textContent,
    status: document.querySelector('#live-status').textContent,
    count: Number(document.querySelector('#live-timeline').dataset.count),
  }));
  await page.screenshot({ path: screenshotPath, fullPage: false });
  await page.click('#live');
  await page.waitForFunction(() => !document.querySelector('#live').classList.contains('on'), null, { timeout: 30000 });
  console.log(JSON.stringify({ ...shown, results: results.slice(0, shown.count), errors }));
} finally {
  await browser.close();
}
