// An in-memory stand-in for the Ramal API (the contract in notes/api-contract.md), with an
// EventSource double, so the whole app can run in jsdom.
import type { Agent, Call, Settings } from '../src/api/types';
import { call } from './fixtures';

export class FakeEventSource {
  static all: FakeEventSource[] = [];
  readyState = 0;
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  #listeners = new Map<string, Array<(ev: MessageEvent) => void>>();
  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
    setTimeout(() => {
      if (this.readyState === 2) return;
      this.readyState = 1;
      this.onopen?.(new Event('open'));
    }, 0);
  }
  addEventListener(type: string, fn: (ev: MessageEvent) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), fn]);
  }
  close(): void {
    this.readyState = 2;
  }
  dispatch(type: string, data: unknown): void {
    if (this.readyState !== 1) return;
    for (const fn of this.#listeners.get(type) ?? []) fn({ data: JSON.stringify(data) } as MessageEvent);
  }
}

export interface Recorded {
  method: string;
  path: string;
  body: unknown;
  auth: string | null;
}

export class FakeServer {
  requests: Recorded[] = [];
  agents: Agent[] = [
    { id: 1, username: 'ana', display_name: 'Ana Souza', identity: 'ana', role: 'admin', active: true, available: false },
    { id: 2, username: 'bruno', display_name: 'Bruno', identity: 'bruno', role: 'agent', active: true, available: true },
  ];
  settings: Settings = {
    language: 'pt-BR',
    default_country_code: '55',
    demo: true,
    twilio_configured: false,
    inbound_group: [1, 2],
    ring_timeout_secs: 30,
    allowed_destinations: ['+55'],
  };
  calls: Call[] = Array.from({ length: 120 }, (_, i) => call(120 - i, { recording_sid: i % 3 === 0 ? `RE${i}` : null }));
  #demoSeq = 0;

  push(type: string, data: unknown): void {
    for (const s of FakeEventSource.all) s.dispatch(type, data);
  }

  fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), 'http://ramal.test');
    const method = init.method ?? 'GET';
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    const auth = (init.headers as Record<string, string> | undefined)?.Authorization ?? null;
    this.requests.push({ method, path: url.pathname + url.search, body, auth });
    const json = (status: number, data?: unknown) =>
      new Response(data === undefined ? null : JSON.stringify(data), { status, headers: { 'Content-Type': 'application/json' } });
    const p = url.pathname;
    if (p === '/api/auth/login') {
      return body.password === 'secret'
        ? json(200, { token: 'session-token', expires_at: Math.floor(Date.now() / 1000) + 3600, agent: this.agents[0] })
        : json(401, { error: 'bad_credentials', message: 'wrong' });
    }
    if (auth !== 'Bearer session-token') return json(401, { error: 'unauthorized', message: 'login' });
    if (p === '/api/me') return json(200, this.agents[0]);
    if (p === '/api/settings') return json(200, this.settings);
    if (p === '/api/agents') return json(200, this.agents);
    if (p === '/api/twilio/token') {
      return json(200, { token: 'demo-token', identity: 'ana', expires_at: Math.floor(Date.now() / 1000) + 3600, ttl_secs: 3600 });
    }
    if (p === '/api/presence') return json(204);
    if (p === '/api/twilio/call-logs') {
      const number = url.searchParams.get('number');
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const items = this.calls.filter((c) => !number || c.from_number.includes(number) || c.to_number.includes(number));
      const page = items.slice(start, start + limit);
      const next = start + limit < items.length ? String(start + limit) : null;
      return json(200, { items: page, next_cursor: next, total: items.length });
    }
    if (p === '/api/demo/calls' && method === 'POST') {
      this.#demoSeq += 1;
      return json(200, { call_sid: `CAdemo${this.#demoSeq}` });
    }
    if (p.startsWith('/api/demo/')) return json(204);
    return json(404, { error: 'not_found', message: p });
  };
}
