// Opens the EmoSer page in Debian's chromium (headless), uploads a WAV through the file input, waits for the
// probability chart, and prints {"top_label", "bars", "timeline_segments"} as JSON; saves a screenshot.
// Usage: node upload-and-screenshot.mjs BASE_URL WAV_PATH SCREENSHOT_PATH [CHROMIUM_PATH]
import { chromium } from 'playwright-core';

const [baseUrl, wavPath, screenshotPath, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
if (!baseUrl || !wavPath || !screenshotPath) {
  console.error('usage: node upload-and-screenshot.mjs BASE_URL WAV_PATH SCREENSHOT_PATH [CHROMIUM_PATH]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  // A fake microphone (a beep) and auto-accepted permission prompts, for the recording check.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1300 }, deviceScaleFactor: 1 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(baseUrl, { waitUntil: 'networkidle' });
  // The dataset table and the served model panel load on their own.
  await page.waitForSelector('#dataset-table tbody tr', { timeout: 30000 });
  await page.waitForSelector('#model-info .metric', { timeout: 30000 });
  await page.setInputFiles('#file-input', wavPath);
  await page.waitForSelector('#chart[data-top-label]:not([data-top-label=""])', { timeout: 60000 });
  await page.waitForTimeout(700); // let the bar animation finish before the screenshot
  const result = await page.evaluate(() => ({
    top_label: document.querySelector('#chart').dataset.topLabel,
    shown_label: document.querySelector('#top-label').textContent,
    bars: [...document.querySelectorAll('#chart g.bar')].map((g) => g.dataset.label),
    timeline_segments: document.querySelectorAll('#timeline svg rect').length,
  }));
  await page.screenshot({ path: screenshotPath, fullPage: false });

  // Record at least 1.5 s of audio from the (fake) microphone, counted in captured samples (wall time drifts on a
  // busy machine): the page encodes WAV and classifies it.
  await page.click('#record');
  await page.waitForFunction(() => document.querySelector('#record').classList.contains('on'));
  await page.waitForFunction(() => Number(document.querySelector('#record').dataset.recordedSeconds) >= 1.5, null, { timeout: 60000 });
  await page.click('#record');
  await page.waitForFunction(() => document.querySelector('#result-source').textContent.startsWith('recording.wav'), null, { timeout: 60000 });
  const recording = await page.evaluate(() => ({
    source: document.querySelector('#result-source').textContent,
    top_label: document.querySelector('#chart').dataset.topLabel,
  }));
  console.log(JSON.stringify({ ...result, recording, errors }));
} finally {
  await browser.close();
}
