// The webphone in demo mode, against the real server and its Twilio simulator: calls placed,
// answered, muted, DTMF, hung up; two tabs; going away.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import {
  api,
  cspViolations,
  launchBrowser,
  login,
  newContext,
  screenshot,
  seedData,
  startRamal,
  tokenOf,
  until,
  watchErrors,
} from './harness.mjs';

const CUSTOMER = '+5531977776666';

/** The call row (history) of `sid`, once it shows `status`. */
function row(page, sid, status) {
  return page.locator(`[data-testid="call-row"][data-call-sid="${sid}"][data-status="${status}"]`);
}

/** Opens the webphone and waits until it is ready to call. */
async function openPhone(page) {
  await page.getByTestId('phone-toggle').click();
  await page.getByTestId('phone-panel').waitFor();
}

describe('demo webphone', () => {
  let ramal;
  let browser;
  let seed;

  // One browser for the file (each test has its own context); one server per test, each with
  // its own copy of a data directory holding the two agents.
  before(async () => {
    seed = await seedData([
      { username: 'alefe', name: 'Álefe Lins', admin: true },
      { username: 'bruna', name: 'Bruna Reis' },
    ]);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (seed) rmSync(seed, { recursive: true, force: true });
  });

  beforeEach(async () => {
    ramal = await startRamal({ seed });
  });

  afterEach(async () => {
    await ramal?.stop();
  });

  test('log in, place an outbound call, see it live, mute, DTMF, hang up', async () => {
    const context = await newContext(browser, ramal.base);
    const page = await context.newPage();
    const errors = watchErrors(page);

    await page.goto('/');
    await page.getByTestId('login-form').waitFor();
    await screenshot(page, '01-login');
    await page.getByTestId('login-username').fill('alefe');
    await page.getByTestId('login-password').fill('wrong password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    await login(page, 'alefe');
    await page.getByTestId('demo-banner').waitFor();
    await screenshot(page, '02-calls-empty');
    // The Content-Security-Policy is enforced (and its violations are seen): inline code is refused.
    const ran = await page.evaluate(() => {
      window.__ran = false;
      const script = document.createElement('script');
      script.textContent = 'window.__ran = true';
      document.head.append(script);
      return window.__ran;
    });
    assert.equal(ran, false, 'inline script blocked');
    await until('the violation report', async () => (await cspViolations(page)).length === 1);
    assert.match((await cspViolations(page))[0], /^script-src/);
    await page.evaluate(() => {
      window.__csp = [];
    });

    await openPhone(page);
    await page.locator('[data-testid="phone-status-dot"][data-status="ready"]').waitFor();
    await screenshot(page, '03-phone-ready');

    await page.getByTestId('dial-input').fill('+5531999990000');
    await page.getByTestId('dial-call').click();
    await page.locator('[data-testid="active-call"][data-phase="outgoing"]').waitFor();
    // The call reaches the history at once and changes there live (no reload).
    const first = page.getByTestId('call-row').first();
    await first.waitFor();
    const sid = await first.getAttribute('data-call-sid');
    assert.match(sid, /^CA[0-9a-f]{32}$/);
    await row(page, sid, 'ringing').waitFor();
    await screenshot(page, '04-ringing');
    await page.locator('[data-testid="active-call"][data-phase="in-call"]').waitFor({ timeout: 10_000 });
    await row(page, sid, 'in-progress').waitFor();
    await page.getByTestId('call-timer').waitFor();

    const mute = page.getByTestId('call-mute');
    await mute.click();
    assert.equal(await mute.getAttribute('aria-pressed'), 'true');
    await page.getByTestId('call-keypad-toggle').click();
    for (const key of ['1', '2', 'hash']) await page.getByTestId(`dtmf-${key}`).click();
    await page.getByTestId('call-digits').filter({ hasText: '12#' }).waitFor();
    await screenshot(page, '05-in-call-muted-keypad');
    // The simulated far end heard them.
    const token = await tokenOf(page);
    const heard = await until('the digits at the simulator', async () => {
      const r = await api(ramal.base, token, 'GET', `/api/demo/calls/${sid}/digits`);
      return r.status === 200 && r.body.digits === '12#' ? r.body : null;
    });
    assert.equal(heard.call_sid, sid);
    await mute.click();
    assert.equal(await mute.getAttribute('aria-pressed'), 'false');

    await page.getByTestId('call-hangup').click();
    await page.getByTestId('call-ended').waitFor();
    await row(page, sid, 'completed').waitFor();
    await screenshot(page, '06-call-ended-history');

    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('an inbound call rings one of two tabs; answer, mute, DTMF, hang up', async () => {
    const context = await newContext(browser, ramal.base);
    const owner = await context.newPage();
    const errors = watchErrors(owner);
    await login(owner, 'alefe');
    await openPhone(owner);
    await owner.locator('[data-testid="phone-status-dot"][data-status="ready"]').waitFor();
    // A second tab of the same browser shares the session and follows the first one.
    const other = await context.newPage();
    const otherErrors = watchErrors(other);
    await other.goto('/');
    await other.getByTestId('phone-toggle').click();
    await other.getByTestId('phone-follower').waitFor();
    const token = await tokenOf(owner);

    // Background tabs get no animation frames: act in the foreground one.
    await owner.bringToFront();
    await owner.getByTestId('demo-inbound').click();
    const incoming = owner.getByTestId('incoming-call');
    await incoming.waitFor({ timeout: 15_000 });
    const number = await owner.getByTestId('incoming-number').textContent();
    assert.ok(number.replace(/\D/g, '').length >= 10, `caller's number shown: ${number}`);
    await screenshot(owner, '07-incoming-owner-tab');
    await other.bringToFront();
    await screenshot(other, '08-incoming-follower-tab');
    assert.equal(await other.getByTestId('incoming-call').count(), 0, 'only one tab rings');
    await owner.bringToFront();

    await owner.getByTestId('call-accept').click();
    await owner.locator('[data-testid="active-call"][data-phase="in-call"]').waitFor();
    const parent = await owner.getByTestId('call-row').first().getAttribute('data-call-sid');
    await row(owner, parent, 'in-progress').waitFor();
    await owner.getByTestId('call-mute').click();
    assert.equal(await owner.getByTestId('call-mute').getAttribute('aria-pressed'), 'true');
    await owner.getByTestId('call-keypad-toggle').click();
    await owner.getByTestId('dtmf-9').click();
    await owner.getByTestId('dtmf-star').click();
    // DTMF goes on this agent's leg of the call.
    const me = (await api(ramal.base, token, 'GET', '/api/me')).body;
    const call = (await api(ramal.base, token, 'GET', `/api/twilio/call-logs/${parent}`)).body;
    const leg = call.legs.find((l) => l.agent_id === me.id && l.status === 'in-progress');
    assert.ok(leg, `my leg in ${JSON.stringify(call.legs)}`);
    await until('the digits at the simulator', async () => {
      const r = await api(ramal.base, token, 'GET', `/api/demo/calls/${leg.call_sid}/digits`);
      return r.body?.digits === '9*';
    });
    await screenshot(owner, '09-inbound-in-call');

    await owner.getByTestId('call-hangup').click();
    await owner.getByTestId('call-ended').waitFor();
    await row(owner, parent, 'completed').waitFor({ timeout: 10_000 });
    assert.equal(await other.getByTestId('incoming-call').count(), 0);

    for (const page of [owner, other]) assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual([...errors, ...otherErrors], []);
    await context.close();
  });

  test('an agent who goes away stops ringing; closing the tab takes her offline', async () => {
    const context = await newContext(browser, ramal.base);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await login(page, 'bruna');
    await openPhone(page);
    await page.locator('[data-testid="phone-status-dot"][data-status="ready"]').waitFor();
    const token = await tokenOf(page);
    const me = (await api(ramal.base, token, 'GET', '/api/me')).body;
    const ringing = async () =>
      (await api(ramal.base, token, 'GET', '/api/settings')).body.ringing_agent_ids;
    await until('Bruna available', async () => (await ringing()).includes(me.id));

    await page.getByTestId('away-toggle').click();
    await page.locator('[data-testid="phone-status-dot"][data-status="away"]').waitFor();
    await until('Bruna away', async () => !(await ringing()).includes(me.id));
    await screenshot(page, '10-away');
    const res = await api(ramal.base, token, 'POST', '/api/demo/inbound', { from: CUSTOMER });
    assert.equal(res.status, 202);
    // The greeting lasts about 3 s; then nobody available: no ringing here.
    const sid = res.body.call_sid;
    await page.locator(`[data-testid="call-row"][data-call-sid="${sid}"]`).waitFor();
    await page.waitForTimeout(5_000);
    assert.equal(await page.getByTestId('incoming-call').count(), 0, 'away: no ringing');
    await screenshot(page, '11-away-inbound-not-ringing');

    // Back, then the tab closes: the page-leave beacon (cookie-authenticated) takes her offline.
    await page.getByTestId('away-toggle').click();
    await page.locator('[data-testid="phone-status-dot"][data-status="ready"]').waitFor();
    await until('Bruna available again', async () => (await ringing()).includes(me.id));
    assert.deepEqual(await cspViolations(page), []);
    await page.close({ runBeforeUnload: true });
    await until('Bruna offline', async () => !(await ringing()).includes(me.id), 5_000);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
