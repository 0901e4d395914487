// Typed client of the Ramal HTTP API. Adds the bearer token, turns error bodies into ApiError and
// reports 401 once to the app (which then shows the login page).
import { filtersToQuery, type CallFilters } from './call-filters';
import type {
  Agent,
  AgentPatch,
  Call,
  CallPage,
  LoginResponse,
  NewAgent,
  Settings,
  TokenInfo,
} from './types';

/** An HTTP error answered by the server (or a network failure, status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds, from Retry-After on 429/503. */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export interface ApiClientOptions {
  /** Prefix of every path; '' when the app is served by the API's own origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Current bearer token, if logged in. */
  getToken: () => string | null;
  /** Called when an authenticated request answers 401. */
  onUnauthorized?: () => void;
  /** navigator.sendBeacon, injectable. */
  sendBeacon?: (url: string, data?: BodyInit) => boolean;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export class ApiClient {
  readonly #opts: ApiClientOptions;
  readonly #fetch: typeof fetch;

  constructor(opts: ApiClientOptions) {
    this.#opts = opts;
    this.#fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Absolute-or-relative URL of an API path. */
  url(path: string): string {
    return `${this.#opts.baseUrl ?? ''}${path}`;
  }

  async #request<T>(method: Method, path: string, body?: unknown, auth = true): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = auth ? this.#opts.getToken() : null;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.#fetch(this.url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch (err) {
      throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
    }
    if (!res.ok) {
      let code = `http_${res.status}`;
      let message = res.statusText;
      try {
        const data = (await res.json()) as { error?: string; message?: string };
        if (data.error) code = data.error;
        if (data.message) message = data.message;
      } catch {
        // Not JSON: keep the status text.
      }
      const ra = Number(res.headers.get('Retry-After'));
      if (res.status === 401 && auth && token) this.#opts.onUnauthorized?.();
      throw new ApiError(res.status, code, message, Number.isFinite(ra) && ra > 0 ? ra : null);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  login(username: string, password: string): Promise<LoginResponse> {
    return this.#request('POST', '/api/auth/login', { username, password }, false);
  }

  logout(): Promise<void> {
    return this.#request('POST', '/api/auth/logout');
  }

  me(): Promise<Agent> {
    return this.#request('GET', '/api/me');
  }

  settings(): Promise<Settings> {
    return this.#request('GET', '/api/settings');
  }

  voiceToken(): Promise<TokenInfo> {
    return this.#request('GET', '/api/twilio/token');
  }

  callLogs(filters: CallFilters, cursor: string | null, limit = 50): Promise<CallPage> {
    const q = filtersToQuery(filters, { limit: String(limit) });
    if (cursor) q.set('cursor', cursor);
    return this.#request('GET', `/api/twilio/call-logs?${q}`);
  }

  call(sid: string): Promise<Call> {
    return this.#request('GET', `/api/twilio/call-logs/${encodeURIComponent(sid)}`);
  }

  /** URL of the CSV export; the session cookie authenticates the download. */
  exportUrl(filters: CallFilters): string {
    return this.url(`/api/twilio/call-logs/export.csv?${filtersToQuery(filters)}`);
  }

  agents(): Promise<Agent[]> {
    return this.#request('GET', '/api/agents');
  }

  createAgent(agent: NewAgent): Promise<Agent> {
    return this.#request('POST', '/api/agents', agent);
  }

  updateAgent(id: number, patch: AgentPatch): Promise<Agent> {
    return this.#request('PATCH', `/api/agents/${id}`, patch);
  }

  setPassword(id: number, password: string): Promise<void> {
    return this.#request('POST', `/api/agents/${id}/password`, { password });
  }

  presence(state: 'available' | 'away'): Promise<void> {
    return this.#request('POST', '/api/presence', { state });
  }

  /**
   * Marks the agent offline while the page goes away. sendBeacon cannot send DELETE nor an
   * Authorization header: the server authenticates this POST by the session cookie.
   */
  presenceLeave(): void {
    const url = this.url('/api/presence/leave');
    const beacon =
      this.#opts.sendBeacon ??
      (typeof navigator !== 'undefined' && navigator.sendBeacon
        ? (u: string, d?: BodyInit) => navigator.sendBeacon(u, d)
        : null);
    if (beacon && beacon(url)) return;
    const token = this.#opts.getToken();
    void this.#fetch(url, {
      method: 'POST',
      keepalive: true,
      credentials: 'same-origin',
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    }).catch(() => undefined);
  }

  demoDial(to: string): Promise<{ call_sid: string }> {
    return this.#request('POST', '/api/demo/calls', { to });
  }

  demoHangup(sid: string): Promise<void> {
    return this.#request('POST', `/api/demo/calls/${encodeURIComponent(sid)}/hangup`);
  }

  demoDigits(sid: string, digits: string): Promise<void> {
    return this.#request('POST', `/api/demo/calls/${encodeURIComponent(sid)}/digits`, { digits });
  }

  demoAnswer(sid: string): Promise<void> {
    return this.#request('POST', `/api/demo/calls/${encodeURIComponent(sid)}/answer`);
  }

  demoReject(sid: string): Promise<void> {
    return this.#request('POST', `/api/demo/calls/${encodeURIComponent(sid)}/reject`);
  }

  demoInbound(from: string): Promise<{ call_sid: string } | undefined> {
    return this.#request('POST', '/api/demo/inbound', { from });
  }
}
