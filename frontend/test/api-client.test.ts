import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../src/api/client';

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

describe('ApiClient', () => {
  it('sends the bearer token and JSON bodies to the contract paths', async () => {
    const fetch = vi.fn(async () => jsonResponse(201, { id: 3 }));
    const api = new ApiClient({ fetch: fetch as never, getToken: () => 'tok' });
    await api.createAgent({ username: 'bia', display_name: 'Bia', password: 'x'.repeat(8), role: 'agent' });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/agents');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(JSON.parse(String(init.body))).toEqual({ username: 'bia', display_name: 'Bia', password: 'xxxxxxxx', role: 'agent' });
  });

  it('builds the call-logs query with the cursor', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, { items: [], next_cursor: null, total: 0 }));
    const api = new ApiClient({ fetch: fetch as never, getToken: () => 'tok' });
    await api.callLogs({ direction: 'inbound', number: '31 9' }, 'abc', 25);
    const url = new URL(String((fetch.mock.calls[0] as unknown[])[0]), 'http://x');
    expect(url.pathname).toBe('/api/twilio/call-logs');
    expect(Object.fromEntries(url.searchParams)).toEqual({ direction: 'inbound', number: '319', limit: '25', cursor: 'abc' });
  });

  it('turns error bodies into ApiError and reports 401 once', async () => {
    const onUnauthorized = vi.fn();
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(jsonResponse(401, { error: 'unauthorized', message: 'log in' }))
      .mockResolvedValueOnce(jsonResponse(429, { error: 'throttled', message: 'slow down' }, { 'Retry-After': '12' }));
    const api = new ApiClient({ fetch: fetch as never, getToken: () => 'tok', onUnauthorized });
    const e1 = await api.me().catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ApiError);
    expect(e1).toMatchObject({ status: 401, code: 'unauthorized', message: 'log in' });
    expect(onUnauthorized).toHaveBeenCalledOnce();
    const e2 = await api.me().catch((e: unknown) => e);
    expect(e2).toMatchObject({ status: 429, code: 'throttled', retryAfter: 12 });
  });

  it('does not treat a failed login (401) as a lost session', async () => {
    const onUnauthorized = vi.fn();
    const fetch = vi.fn(async () => jsonResponse(401, { error: 'bad_credentials', message: 'no' }));
    const api = new ApiClient({ fetch: fetch as never, getToken: () => null, onUnauthorized });
    await expect(api.login('a', 'b')).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('reports network failures as status 0', async () => {
    const api = new ApiClient({ fetch: (async () => { throw new TypeError('Failed to fetch'); }) as never, getToken: () => null });
    await expect(api.settings()).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('handles 204 and sends the presence beacon', async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    const sendBeacon = vi.fn(() => true);
    const api = new ApiClient({ fetch: fetch as never, getToken: () => 't', sendBeacon });
    await expect(api.presence('away')).resolves.toBeUndefined();
    api.presenceLeave();
    expect(sendBeacon).toHaveBeenCalledWith('/api/presence/leave');
    sendBeacon.mockReturnValueOnce(false); // beacon queue full: fall back to keepalive fetch
    api.presenceLeave();
    expect(fetch).toHaveBeenLastCalledWith('/api/presence/leave', expect.objectContaining({ method: 'POST', keepalive: true }));
  });

  it('calls the demo endpoints', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, { call_sid: 'CA1' }));
    const api = new ApiClient({ fetch: fetch as never, getToken: () => 't' });
    await api.demoDial('+5531999999999');
    await api.demoAnswer('CA1');
    await api.demoDigits('CA1', '12');
    await api.demoInbound('+5531988887777');
    const calls = fetch.mock.calls.map((c) => {
      const [url, init] = c as unknown as [string, RequestInit];
      return `${init.method} ${url} ${init.body ?? ''}`;
    });
    expect(calls).toEqual([
      'POST /api/demo/calls {"to":"+5531999999999"}',
      'POST /api/demo/calls/CA1/answer ',
      'POST /api/demo/calls/CA1/digits {"digits":"12"}',
      'POST /api/demo/inbound {"from":"+5531988887777"}',
    ]);
  });
});
