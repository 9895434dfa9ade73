// Opens the EmoSer page in Debian's chromium (headless) against a speaker-normalized model, uploads two WAVs, reloads,
// resets the speaker profile, and prints what the "speaker profile: n utterances" line showed at each step as JSON.
// Usage: node speaker-ui.mjs BASE_URL WAV_1 WAV_2 [CHROMIUM_PATH]
import { chromium } from 'playwright-core';

const [baseUrl, wav1, wav2, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
if (!baseUrl || !wav1 || !wav2) {
  console.error('usage: node speaker-ui.mjs BASE_URL WAV_1 WAV_2 [CHROMIUM_PATH]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const count = () => page.evaluate(() => ({
    text: document.querySelector('#speaker-count').textContent,
    visible: !document.querySelector('#speaker-row').classList.contains('hidden'),
  }));
  const waitFor = (n) => page.waitForFunction((v) => document.querySelector('#speaker-count').dataset.utterances === v, String(n), { timeout: 60000 });

  await page.goto(baseUrl, { waitUntil: 'networkidle' });
  await page.waitForSelector('#model-info .metric', { timeout: 30000 });
  await waitFor(0);
  const initial = await count();
  await page.setInputFiles('#file-input', wav1);
  await waitFor(1);
  await page.setInputFiles('#file-input', wav2);
  await waitFor(2);
  const afterUploads = await count();
  const id = await page.evaluate(() => localStorage.getItem('emoser.speaker'));

  await page.reload({ waitUntil: 'networkidle' });
  await waitFor(2);
  const afterReload = await count();
  const idAfterReload = await page.evaluate(() => localStorage.getItem('emoser.speaker'));

  await page.click('#speaker-reset');
  await waitFor(0);
  const afterReset = await count();
  const idAfterReset = await page.evaluate(() => localStorage.getItem('emoser.speaker'));
  console.log(JSON.stringify({ id, id_after_reload: idAfterReload, id_after_reset: idAfterReset, initial, after_uploads: afterUploads, after_reload: afterReload, after_reset: afterReset, errors }));
} finally {
  await browser.close();
}
