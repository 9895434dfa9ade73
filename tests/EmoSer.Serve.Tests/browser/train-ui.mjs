// Starts a training job from the page's form in Debian's chromium (headless), waits for it to finish, and prints
// what the page shows as JSON: state, curve paths, confusion matrix cells, the model badge before and after.
// Usage: node train-ui.mjs BASE_URL SCREENSHOT_PATH [PROTOCOL] [EPOCHS] [CHROMIUM_PATH]
import { chromium } from 'playwright-core';

const [baseUrl, screenshotPath, protocol = 'full', epochs = '3', executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
if (!baseUrl || !screenshotPath) {
  console.error('usage: node train-ui.mjs BASE_URL SCREENSHOT_PATH [PROTOCOL] [EPOCHS] [CHROMIUM_PATH]');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(baseUrl, { waitUntil: 'networkidle' });
  await page.waitForSelector('#model-info .metric');
  const versionBefore = await page.textContent('#model-version');
  await page.selectOption('#train-form select[name=protocol]', protocol);
  await page.fill('#train-form input[name=epochs]', epochs);
  await page.click('#train-start');
  await page.waitForFunction(() => ['succeeded', 'failed', 'cancelled'].includes(document.querySelector('#job-state').textContent), null, { timeout: 600000 });
  // The model panel reloads after the job; give it a moment.
  await page.waitForTimeout(1000);
  const shown = await page.evaluate(() => ({
    state: document.querySelector('#job-state').textContent,
    error: document.querySelector('#job-error').textContent,
    loss_paths: document.querySelectorAll('#loss-chart svg path').length,
    acc_paths: document.querySelectorAll('#acc-chart svg path').length,
    confusion_cells: document.querySelectorAll('#confusion svg rect').length,
    confusion_visible: !document.querySelector('#confusion-fig').classList.contains('hidden'),
    log_lines: document.querySelector('#job-log').textContent.split('\n').length,
    version_after: document.querySelector('#model-version').textContent,
    start_enabled: !document.querySelector('#train-start').disabled,
  }));
  await page.locator('#train-card').screenshot({ path: screenshotPath });
  console.log(JSON.stringify({ version_before: versionBefore, ...shown, errors }));
} finally {
  await browser.close();
}
