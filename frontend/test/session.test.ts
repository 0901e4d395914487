import { describe, expect, it } from 'vitest';
import { SessionStore, parseSession } from '../src/app/session';
import { parseRoute } from '../src/app/router';

const agent = { id: 1, username: 'ana', display_name: 'Ana', identity: 'ana', role: 'agent' as const, active: true, available: false };

describe('session', () => {
  it('parses a stored session and drops expired or malformed ones', () => {
    const raw = JSON.stringify({ token: 't', expiresAt: 2000, agent });
    expect(parseSession(raw, 1000)?.token).toBe('t');
    expect(parseSession(raw, 2000)).toBeNull();
    expect(parseSession('{', 0)).toBeNull();
    expect(parseSession(JSON.stringify({ token: 1 }), 0)).toBeNull();
    expect(parseSession(null, 0)).toBeNull();
  });

  it('saves, shares through storage, and clears', () => {
    const m = new Map<string, string>();
    const storage = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
    const a = new SessionStore(storage);
    const b = new SessionStore(storage);
    a.save({ token: 'x', expiresAt: Date.now() / 1000 + 60, agent });
    expect(b.get()).toBeNull();
    b.reload(); // what the storage event triggers
    expect(b.token()).toBe('x');
    a.clear();
    b.reload();
    expect(b.get()).toBeNull();
  });
});

describe('parseRoute', () => {
  it('maps hashes to pages, defaulting to calls', () => {
    expect(parseRoute('#/agents')).toBe('agents');
    expect(parseRoute('#/settings?x=1')).toBe('settings');
    expect(parseRoute('')).toBe('calls');
    expect(parseRoute('#/nope')).toBe('calls');
  });
});
