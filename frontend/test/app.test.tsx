// The whole app in jsdom against the fake API, in demo mode: login, history, the floating phone
// placing and taking simulated calls, live updates, language switch.
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../src/api/client';
import { App } from '../src/app/App';
import { AppCtx, type AppServices } from '../src/app/context';
import { createRouter } from '../src/app/router';
import { SessionStore } from '../src/app/session';
import { en } from '../src/i18n/en';
import { I18n } from '../src/i18n/i18n';
import { ptBR } from '../src/i18n/pt-BR';
import { FakeLocks } from './fakes';
import { FakeEventSource, FakeServer } from './fake-server';
import { call } from './fixtures';

const $ = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const $$ = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

async function until<T>(fn: () => T | null | undefined | false, what: string): Promise<T> {
  return vi.waitFor(
    () => {
      const v = fn();
      if (!v) throw new Error(`waiting for ${what}`);
      return v;
    },
    { timeout: 3000, interval: 10 },
  );
}

async function type(el: HTMLElement, value: string) {
  await act(() => {
    (el as HTMLInputElement).value = value;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function click(el: HTMLElement) {
  await act(() => {
    el.click();
  });
}

describe('Ramal app (demo mode, jsdom)', () => {
  let server: FakeServer;
  let root: HTMLElement;

  beforeEach(async () => {
    localStorage.clear();
    FakeEventSource.all = [];
    server = new FakeServer();
    vi.stubGlobal('EventSource', FakeEventSource);
    vi.stubGlobal('fetch', server.fetch);
    Object.defineProperty(navigator, 'locks', { value: new FakeLocks(), configurable: true });
    navigator.sendBeacon = vi.fn(() => true);
    // jsdom has no media playback; the tones are fire-and-forget anyway.
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(() => Promise.resolve());
    vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => undefined);
    root = document.createElement('div');
    document.body.appendChild(root);
    const storage = localStorage;
    const i18n = new I18n({ fallback: ptBR, load: { en: async () => en } }, storage);
    const session = new SessionStore(storage);
    const api = new ApiClient({ getToken: () => session.token(), onUnauthorized: () => session.clear() });
    const services: AppServices = { api, i18n, session, route: createRouter(window), storage };
    await act(() => {
      render(
        <AppCtx.Provider value={services}>
          <App />
        </AppCtx.Provider>,
        root,
      );
    });
  });

  afterEach(async () => {
    // Inside act: pending effects and their clean-ups run before jsdom is torn down.
    await act(() => {
      render(null, root);
    });
    root.remove();
    vi.unstubAllGlobals();
  });

  async function login() {
    await type($('login-username')!, 'ana');
    await type($('login-password')!, 'secret');
    await act(() => {
      $('login-form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await until(() => $$('call-row').length > 0, 'call rows');
  }

  async function openPhone() {
    await click($('phone-toggle')!);
    await until(() => $('phone-status-dot')?.dataset.status === 'ready', 'phone ready');
  }

  it('rejects wrong credentials with a message', async () => {
    await type($('login-username')!, 'ana');
    await type($('login-password')!, 'nope');
    await act(() => {
      $('login-form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    const err = await until(() => $('login-error'), 'login error');
    expect(err.textContent).toBe(ptBR['login.error.credentials']);
  });

  it('logs in and shows a bounded window of the history with the agent column', async () => {
    await login();
    expect($('calls-total')!.textContent).toBe('120 chamadas');
    const rows = $$('call-row');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(50); // windowed: not every loaded row is in the DOM
    expect($$('call-agent')[0]?.textContent).toBe('Ana');
    expect($('demo-banner')).not.toBeNull();
    const calls = server.requests.filter((r) => r.path.startsWith('/api/twilio/call-logs'));
    expect(calls[0]?.path).toContain('limit=50');
  });

  it('does not load the device before the phone is opened, then registers the demo device', async () => {
    await login();
    expect(server.requests.some((r) => r.path === '/api/twilio/token')).toBe(false);
    expect($('phone-panel')).toBeNull();
    await openPhone();
    expect($('phone-status-text')!.textContent).toBe('Pronto');
    await until(() => server.requests.some((r) => r.path === '/api/presence'), 'presence heartbeat');
    expect(server.requests.find((r) => r.path === '/api/presence')?.body).toEqual({ state: 'available' });
  });

  it('places a simulated call from the dialer and hangs up', async () => {
    await login();
    await openPhone();
    await type($('dial-input')!, '31 99999-9999');
    expect($('dial-hint')!.textContent).toBe('Vai discar +55 31 99999-9999');
    await click($('dial-call')!);
    await until(() => server.requests.some((r) => r.path === '/api/demo/calls'), 'dial request');
    expect(server.requests.find((r) => r.path === '/api/demo/calls')?.body).toEqual({ to: '+5531999999999' });
    await until(() => $('active-call'), 'active call');
    await act(() => server.push('call', call(500, { call_sid: 'CAdemo1', status: 'in-progress' })));
    await until(() => $('call-timer'), 'call timer');
    await click($('call-mute')!);
    expect($('call-mute')!.getAttribute('aria-pressed')).toBe('true');
    await click($('call-keypad-toggle')!);
    await click($('dtmf-5')!);
    await until(() => server.requests.some((r) => r.path === '/api/demo/calls/CAdemo1/digits'), 'digits');
    await click($('call-hangup')!);
    await until(() => $('call-ended'), 'ended');
    expect($('call-ended')!.dataset.reason).toBe('hangup');
    expect(server.requests.some((r) => r.path === '/api/demo/calls/CAdemo1/hangup')).toBe(true);
  });

  it('explains an invalid number without calling', async () => {
    await login();
    await openPhone();
    await type($('dial-input')!, '99999-9999');
    await click($('dial-call')!);
    expect($('dial-error')!.textContent).toBe(ptBR['number.missing-area-code']);
    expect(server.requests.some((r) => r.path === '/api/demo/calls')).toBe(false);
  });

  it('rings for a simulated inbound call, with caller history, and answers it', async () => {
    await login();
    await openPhone();
    await act(() => server.push('demo-incoming', { call_sid: 'CAin1', from: '+5531999990000' }));
    const incoming = await until(() => $('incoming-call'), 'incoming call');
    expect($('incoming-number')!.textContent).toBe('(31) 99999-0000');
    expect(document.activeElement).toBe($('call-accept'));
    await until(() => server.requests.some((r) => r.path.includes('number=5531999990000')), 'history lookup');
    expect(incoming).toBeTruthy();
    await click($('call-accept')!);
    await until(() => $('call-timer'), 'in call');
    expect(server.requests.some((r) => r.path === '/api/demo/calls/CAin1/answer')).toBe(true);
  });

  it('click-to-call from the history fills the dialer before the phone is ready', async () => {
    await login();
    await click($$('call-back')[0]!);
    const input = await until(() => $('dial-input') as HTMLInputElement | null, 'dialer');
    expect(input.value).toBe('+5531988887777');
  });

  it('shows a live call at the top without reloading', async () => {
    await login();
    await until(() => FakeEventSource.all.some((s) => s.readyState === 1), 'stream open');
    const fresh = call(999, { to_number: '+5511912345678' });
    await act(() => server.push('call', fresh));
    await until(() => $$('call-row')[0]?.dataset.callSid === 'CA999', 'live row');
    expect($('calls-total')!.textContent).toBe('121 chamadas');
  });

  it('switches to English and remembers it', async () => {
    await login();
    const select = $('language-select') as HTMLSelectElement;
    await act(() => {
      select.value = 'en';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await until(() => $('calls-total')?.textContent === '120 calls', 'english');
    expect(localStorage.getItem('ramal.lang')).toBe('en');
  });

  it('toggles away and reports it to the server', async () => {
    await login();
    await openPhone();
    await click($('away-toggle')!);
    expect($('phone-status-text')!.textContent).toBe('Ausente');
    await until(() => server.requests.some((r) => r.path === '/api/presence' && (r.body as { state: string }).state === 'away'), 'away');
  });
});
