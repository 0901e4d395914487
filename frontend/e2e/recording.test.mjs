// A recorded demo call, filed by the recording pipeline, played and sought in the call detail.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  PASSWORD,
  api,
  cspViolations,
  launchBrowser,
  login,
  newContext,
  screenshot,
  startRamal,
  until,
  watchErrors,
} from './harness.mjs';

const PLAYBACK_ROUTE = '/api/twilio/recording/{sid}';
/** Seconds of conversation recorded before the agent hangs up. */
const TALK_SECS = 6;

let ramal;
let browser;

before(async () => {
  ramal = await startRamal({ agents: [{ username: 'alefe', name: 'Álefe Lins', admin: true }] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await ramal?.stop();
});

test('play and seek a recording from the call detail', async (t) => {
  // The playback route comes with the recording pipeline; without it there is nothing to play.
  const doc = await (await fetch(`${ramal.base}/api/openapi.json`)).json();
  if (!doc.paths[PLAYBACK_ROUTE]) {
    t.skip(`GET ${PLAYBACK_ROUTE} is not in this build`);
    return;
  }
  const session = await (
    await fetch(`${ramal.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alefe', password: PASSWORD }),
    })
  ).json();
  const token = session.token;

  // A call answered by the simulated phone, recorded from the answer, hung up by the agent.
  const placed = await api(ramal.base, token, 'POST', '/api/demo/calls', { to: '+5531999990000' });
  assert.equal(placed.status, 202);
  const sid = placed.body.call_sid;
  const call = async () => (await api(ramal.base, token, 'GET', `/api/twilio/call-logs/${sid}`)).body;
  await until('the answer', async () => (await call())?.status === 'in-progress', 15_000);
  await new Promise((r) => setTimeout(r, TALK_SECS * 1000));
  assert.equal((await api(ramal.base, token, 'POST', `/api/demo/calls/${sid}/hangup`)).status, 204);
  const filed = await until(
    'the recording to be filed',
    async () => {
      const c = await call();
      return c?.recordings?.[0]?.filing === 'done' ? c : null;
    },
    30_000,
  );
  const recordingSid = filed.recordings[0].recording_sid;

  const context = await newContext(browser, ramal.base);
  const page = await context.newPage();
  const errors = watchErrors(page);
  const media = [];
  page.on('response', (res) => {
    if (res.url().includes(`/api/twilio/recording/${recordingSid}`)) media.push(res.status());
  });
  await login(page, 'alefe');
  await page.locator(`[data-testid="call-row"][data-call-sid="${sid}"] [data-testid="call-open"]`).click();
  await page.getByTestId('call-detail').waitFor();
  const player = page.getByTestId('recording-player');
  await player.waitFor();

  const played = await player.evaluate(async (audio) => {
    const once = (name) => new Promise((resolve, reject) => {
      audio.addEventListener(name, resolve, { once: true });
      audio.addEventListener('error', () => reject(new Error(`media error ${audio.error?.code}`)), { once: true });
    });
    await audio.play();
    // Playing for real: time advances.
    while (audio.currentTime < 0.5) await new Promise((r) => setTimeout(r, 50));
    const seeked = once('seeked');
    audio.currentTime = 4;
    await seeked;
    return { duration: audio.duration, after: audio.currentTime, paused: audio.paused };
  });
  assert.ok(Math.abs(played.duration - TALK_SECS) <= 2, `duration ${played.duration}`);
  assert.ok(played.after >= 3.9, `sought to ${played.after}`);
  assert.equal(played.paused, false);
  assert.ok(media.includes(206), `a Range request was answered 206: ${media}`);
  await screenshot(page, '12-recording-playing');
  await player.evaluate((audio) => audio.pause());

  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});
