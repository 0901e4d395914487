// Browser-test harness: a real `ramal serve` (the binary, with its embedded front end) on a free
// port and a temporary data directory, and Debian's Chromium driven by playwright-core.
// Nothing is downloaded: the browser is /usr/bin/chromium (CHROMIUM_PATH overrides it).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');
const targetDir = resolve(repoRoot, process.env.CARGO_TARGET_DIR ?? 'target');
export const ramalBin = process.env.RAMAL_BIN ?? join(targetDir, 'debug', 'ramal');
export const screenshotDir = join(repoRoot, 'artifacts', 'screenshots');
export const PASSWORD = 'correct horse battery';

/** Flags that work for a headless Chromium run as root, with a fake microphone. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  // The recording test starts playback from a script, without a click.
  '--autoplay-policy=no-user-gesture-required',
];

/** Fake but well-formed Twilio credentials: the real SDK is used and can reach nothing. */
export const FAKE_TWILIO = {
  TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  TWILIO_AUTH_TOKEN: '0123456789abcdef0123456789abcdef',
  TWILIO_API_KEY_SID: 'SK0123456789abcdef0123456789abcdef',
  TWILIO_API_KEY_SECRET: 'abcdef0123456789abcdef0123456789',
  TWILIO_TWIML_APP_SID: 'AP0123456789abcdef0123456789abcdef',
  TWILIO_PHONE_NUMBER: '+553123916801',
};

function run(args, env, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(ramalBin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`ramal ${args.join(' ')} exited ${code}: ${out}`)),
    );
    child.stdin.end(input ?? '');
  });
}

/** A clean environment: no Twilio account unless the test gives one (then no demo mode). */
function cleanEnv(data, env) {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', RAMAL_DATA_DIR: data, RAMAL_LOG: 'info', ...env };
}

/**
 * A data directory holding `agents` ([{ username, name, admin }]) added with `ramal agent add`,
 * to copy for each test (password hashing is slow in a debug build). Remove it with rmSync.
 */
export async function seedData(agents) {
  const data = mkdtempSync(join(tmpdir(), 'ramal-seed-'));
  await addAgents(data, agents);
  return data;
}

async function addAgents(data, agents) {
  for (const a of agents) {
    const args = ['agent', 'add', a.username, '--name', a.name ?? a.username];
    if (a.admin) args.push('--admin');
    await run(args, cleanEnv(data, {}), `${a.password ?? PASSWORD}\n`);
  }
}

/**
 * Starts `ramal serve` on a free port with a fresh data directory: a copy of `seed` (see
 * `seedData`), or one with `agents` added. Returns { base, stop, log }.
 */
export async function startRamal({ agents = [], seed = null, env = {} } = {}) {
  const data = mkdtempSync(join(tmpdir(), 'ramal-browser-'));
  if (seed) cpSync(seed, data, { recursive: true });
  else await addAgents(data, agents);
  const baseEnv = cleanEnv(data, env);
  const child = spawn(ramalBin, ['serve'], {
    env: { ...baseEnv, RAMAL_BIND: '127.0.0.1:0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log = [];
  const lines = createInterface({ input: child.stderr });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ramal did not start:\n${log.join('\n')}`)), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ramal exited (${code}):\n${log.join('\n')}`));
    });
    lines.on('line', (line) => {
      log.push(line);
      const m = /listening.*port=(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  child.removeAllListeners('exit');
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        // A graceful stop waits for open event streams, which end only at their next ping.
        const timer = setTimeout(() => child.kill('SIGKILL'), 1_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** Launches Chromium (fresh temporary profile) with `extraArgs`. */
export async function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_FLAGS, ...extraArgs],
    timeout: 30_000,
  });
}

/**
 * A browser context for `base` with the microphone allowed, whose pages record CSP violations
 * and uncaught errors (see `problems`).
 */
export async function newContext(browser, base) {
  const context = await browser.newContext({
    baseURL: base,
    permissions: ['microphone'],
    viewport: { width: 1280, height: 820 },
  });
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  context.setDefaultTimeout(15_000);
  return context;
}

/** Collects uncaught page errors of `page` into the returned array. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** CSP violations the page reported so far. */
export function cspViolations(page) {
  return page.evaluate(() => window.__csp ?? []);
}

/** Logs in through the login form. */
export async function login(page, username, password = PASSWORD) {
  await page.goto('/');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('phone-toggle').waitFor();
}

/** The page's bearer token (the app keeps the session in localStorage). */
export function tokenOf(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('ramal.session') ?? 'null')?.token);
}

/** A JSON request to the API with a bearer token; returns { status, body }. */
export async function api(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Polls `check` (async, returns a value or null) until it gives a value. */
export async function until(what, check, timeoutMs = 15_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Saves a full-page screenshot under artifacts/screenshots/<name>.png. */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}
