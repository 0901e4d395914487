import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventStream, type EventSourceLike } from '../src/api/events';
import { call } from './fixtures';

class FakeSource implements EventSourceLike {
  readyState = 0;
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  closed = false;
  listeners = new Map<string, Array<(ev: MessageEvent) => void>>();
  constructor(readonly url: string) {}
  addEventListener(type: string, fn: (ev: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  fail(): void {
    this.onerror?.(new Event('error'));
  }
  send(type: string, data: string): void {
    for (const fn of this.listeners.get(type) ?? []) fn({ data } as MessageEvent);
  }
}

describe('EventStream', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup() {
    const sources: FakeSource[] = [];
    const stream = new EventStream({
      url: '/api/events',
      createSource: (url) => {
        const s = new FakeSource(url);
        sources.push(s);
        return s;
      },
      baseMs: 1000,
      maxMs: 8000,
      random: () => 0.5,
    });
    return { stream, sources, last: () => sources[sources.length - 1]! };
  }

  it('delivers typed events and ignores malformed ones', () => {
    const { stream, last } = setup();
    const calls = vi.fn();
    const presence = vi.fn();
    stream.on('call', calls);
    stream.on('presence', presence);
    stream.start();
    last().open();
    last().send('call', JSON.stringify(call(1)));
    last().send('call', '{not json');
    last().send('presence', '{"agent_id":3,"state":"away"}');
    expect(calls).toHaveBeenCalledOnce();
    expect(calls.mock.calls[0]?.[0].id).toBe(1);
    expect(presence).toHaveBeenCalledWith({ agent_id: 3, state: 'away' });
  });

  it('reconnects with exponential back-off and reports the resumption', async () => {
    const { stream, sources, last } = setup();
    const opens: boolean[] = [];
    const closes = vi.fn();
    stream.on('open', (resumed) => opens.push(resumed));
    stream.on('close', closes);
    stream.start();
    last().open();
    last().fail();
    expect(sources[0]?.closed).toBe(true);
    expect(stream.status.get()).toBe('waiting');
    expect(closes).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(999);
    expect(sources).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sources).toHaveLength(2);
    last().fail(); // refused again (e.g. 503): next wait doubles
    await vi.advanceTimersByTimeAsync(1999);
    expect(sources).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sources).toHaveLength(3);
    last().open();
    expect(opens).toEqual([false, true]);
    expect(stream.isOpen()).toBe(true);
    // Success resets the back-off.
    last().fail();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sources).toHaveLength(4);
  });

  it('reconnects at once when kicked (browser back online)', () => {
    const { stream, sources, last } = setup();
    stream.start();
    last().fail();
    stream.kick();
    expect(sources).toHaveLength(2);
  });

  it('ignores events from a source it already replaced, and stops cleanly', async () => {
    const { stream, sources, last } = setup();
    const calls = vi.fn();
    stream.on('call', calls);
    stream.start();
    const first = last();
    first.fail();
    first.send('call', JSON.stringify(call(1)));
    expect(calls).not.toHaveBeenCalled();
    stream.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sources).toHaveLength(1);
    expect(stream.status.get()).toBe('idle');
  });
});
