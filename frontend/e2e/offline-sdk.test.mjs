// The real @twilio/voice-sdk with a configured (fake) account and no network: the webphone must
// say what is wrong, in words, within seconds, and stay usable.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  FAKE_TWILIO,
  cspViolations,
  launchBrowser,
  login,
  newContext,
  screenshot,
  startRamal,
  watchErrors,
} from './harness.mjs';

/** How long the agent may wait for an explanation. */
const WITHIN_MS = 8_000;

let ramal;
let browser;

before(async () => {
  ramal = await startRamal({
    agents: [{ username: 'alefe', name: 'Álefe Lins', admin: true }],
    env: FAKE_TWILIO,
  });
  // No network at all: every name but the server's fails to resolve (Twilio included).
  browser = await launchBrowser(['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']);
});

after(async () => {
  await browser?.close();
  await ramal?.stop();
});

test('real SDK offline: the failure is reported in words within seconds, nothing hangs', async (t) => {
  const context = await newContext(browser, ramal.base);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await login(page, 'alefe');
  assert.equal(await page.getByTestId('demo-banner').count(), 0, 'a Twilio account: no demo');

  const started = Date.now();
  await page.getByTestId('phone-toggle').click();
  const notice = page.getByTestId('phone-error');
  await notice.waitFor({ timeout: WITHIN_MS });
  const elapsed = Date.now() - started;
  const text = (await notice.textContent()).trim();
  const dot = await page.getByTestId('phone-status-dot').getAttribute('data-status');
  await screenshot(page, '13-offline-sdk-error');
  t.diagnostic(`explained after ${elapsed} ms: ${text}`);
  assert.ok(elapsed < WITHIN_MS, `explained after ${elapsed} ms`);
  // Words, not just a code.
  assert.ok(text.replace(/[\d\s().]/g, '').length >= 20, `message: ${text}`);
  assert.ok(['error', 'offline'].includes(dot), `status ${dot}`);
  assert.equal(await page.getByTestId('dial-call').isDisabled(), true, 'cannot place a call');

  // Nothing hangs: retrying gives an answer again, and the rest of the app still works.
  await page.getByTestId('phone-retry').click();
  await notice.waitFor({ timeout: WITHIN_MS });
  await page.getByTestId('nav-settings').click();
  await page.waitForURL(/#\/settings/);
  await page.getByTestId('nav-calls').click();
  await page.getByTestId('live-status').waitFor();
  await page.getByTestId('phone-close').click();
  await page.getByTestId('phone-panel').waitFor({ state: 'detached' });

  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});
