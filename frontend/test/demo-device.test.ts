import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Call, DemoIncoming } from '../src/api/types';
import { DemoDevice, type DemoApi, type DemoStream } from '../src/phone/demo-device';
import type { PhoneCall } from '../src/phone/device';
import type { TonePlayer } from '../src/phone/tones';
import { Emitter } from '../src/util/emitter';
import { call } from './fixtures';
import { makeToken } from './fakes';

type StreamEvents = { call: [Call]; 'demo-incoming': [DemoIncoming]; open: []; close: [] };

class FakeStream extends Emitter<StreamEvents> implements DemoStream {
  open = false;
  isOpen(): boolean {
    return this.open;
  }
  up(): void {
    this.open = true;
    this.emit('open');
  }
  down(): void {
    this.open = false;
    this.emit('close');
  }
}

function setup() {
  const api = {
    demoDial: vi.fn(async (_to: string) => ({ call_sid: 'CAout' })),
    demoHangup: vi.fn(async () => undefined),
    demoDigits: vi.fn(async () => undefined),
    demoAnswer: vi.fn(async () => undefined),
    demoReject: vi.fn(async () => undefined),
  } satisfies DemoApi;
  const stream = new FakeStream();
  const tones: TonePlayer & { log: string[] } = {
    log: [],
    play(name, loop) {
      this.log.push(`play:${name}${loop ? ':loop' : ''}`);
    },
    stop(name) {
      this.log.push(`stop:${name}`);
    },
  };
  const device = new DemoDevice(makeToken(3600), { api, stream, agentId: 1, tones });
  return { api, stream, tones, device };
}

function record(c: PhoneCall) {
  const events: string[] = [];
  for (const e of ['ringing', 'accept', 'disconnect', 'cancel', 'reject'] as const) {
    c.on(e, () => events.push(e));
  }
  c.on('error', (err) => events.push(`error:${err.code}`));
  return events;
}

describe('DemoDevice', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('registers once the live stream is up, and follows the stream going down and up', async () => {
    const { device, stream } = setup();
    const log: string[] = [];
    device.on('registered', () => log.push('registered'));
    device.on('unregistered', () => log.push('unregistered'));
    const p = device.register();
    let done = false;
    void p.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false); // like the SDK offline: waits
    stream.up();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(device.isRegistered()).toBe(true);
    stream.down();
    stream.up();
    expect(log).toEqual(['registered', 'unregistered', 'registered']);
  });

  it('places a call through the API and follows its status from call events', async () => {
    const { device, stream, api, tones } = setup();
    stream.up();
    await device.register();
    const c = await device.connect('+5531999999999');
    expect(api.demoDial).toHaveBeenCalledWith('+5531999999999');
    const events = record(c);
    stream.emit('call', call(1, { call_sid: 'CAother', status: 'ringing' })); // not ours
    stream.emit('call', call(2, { call_sid: 'CAout', status: 'ringing' }));
    stream.emit('call', call(2, { call_sid: 'CAout', status: 'in-progress' }));
    c.sendDigits('5');
    expect(api.demoDigits).toHaveBeenCalledWith('CAout', '5');
    stream.emit('call', call(2, { call_sid: 'CAout', status: 'completed' }));
    expect(events).toEqual(['ringing', 'accept', 'disconnect']);
    expect(tones.log).toContain('play:ringback:loop');
    expect(tones.log).toContain('stop:ringback');
  });

  it('replays progress that arrived before the dial request returned', async () => {
    const { device, stream, api } = setup();
    stream.up();
    await device.register();
    api.demoDial.mockImplementationOnce(async () => {
      stream.emit('call', call(2, { call_sid: 'CAearly', status: 'in-progress' }));
      return { call_sid: 'CAearly' };
    });
    const c = await device.connect('+5531999999999');
    const events = record(c);
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['accept']);
  });

  it('matches a call by its child leg too', async () => {
    const { device, stream } = setup();
    stream.up();
    await device.register();
    const c = await device.connect('+5531999999999');
    const events = record(c);
    stream.emit('call', call(2, {
      call_sid: 'CAparent',
      status: 'in-progress',
      legs: [{ call_sid: 'CAout', parent_call_sid: 'CAparent', direction: 'outbound-dial', from: '', to: '', status: 'in-progress', duration: null, agent_id: 1 }],
    }));
    expect(events).toEqual(['accept']);
  });

  it('turns busy / no-answer into the SDK error codes', async () => {
    const { device, stream } = setup();
    stream.up();
    await device.register();
    const c = await device.connect('+5531999999999');
    const events = record(c);
    stream.emit('call', call(2, { call_sid: 'CAout', status: 'busy' }));
    expect(events).toEqual(['error:31486', 'disconnect']);
  });

  it('rings for demo-incoming, answers through the API, and hangs up', async () => {
    const { device, stream, api, tones } = setup();
    stream.up();
    await device.register();
    const incoming: PhoneCall[] = [];
    device.on('incoming', (c) => incoming.push(c));
    stream.emit('demo-incoming', { call_sid: 'CAin', from: '+5531988887777' });
    stream.emit('demo-incoming', { call_sid: 'CAin', from: '+5531988887777' }); // duplicate
    expect(incoming).toHaveLength(1);
    const c = incoming[0]!;
    expect(c.direction).toBe('inbound');
    expect(c.remote).toBe('+5531988887777');
    expect(tones.log).toContain('play:incoming:loop');
    const events = record(c);
    c.accept();
    await vi.advanceTimersByTimeAsync(0);
    expect(api.demoAnswer).toHaveBeenCalledWith('CAin');
    expect(events).toEqual(['accept']);
    c.disconnect();
    expect(api.demoHangup).toHaveBeenCalledWith('CAin');
    expect(events).toEqual(['accept', 'disconnect']);
  });

  it('cancels an incoming call when the caller hangs up or a colleague answers', async () => {
    const { device, stream } = setup();
    stream.up();
    await device.register();
    const incoming: PhoneCall[] = [];
    device.on('incoming', (c) => incoming.push(c));
    stream.emit('demo-incoming', { call_sid: 'CA1', from: '+5531988887777' });
    stream.emit('demo-incoming', { call_sid: 'CA2', from: '+5531988887777' });
    const [first, second] = incoming.map((c) => ({ c, events: record(c) }));
    stream.emit('call', call(1, { call_sid: 'CA1', status: 'canceled' }));
    expect(first?.events).toEqual(['cancel']);
    stream.emit('call', call(2, {
      call_sid: 'CA2',
      status: 'in-progress',
      legs: [{ call_sid: 'CA2b', parent_call_sid: 'CA2', direction: 'outbound-dial', from: '', to: 'client:bob', status: 'in-progress', duration: null, agent_id: 2 }],
    }));
    expect(second?.events).toEqual(['cancel']);
  });

  it('rejects through the API', async () => {
    const { device, stream, api } = setup();
    stream.up();
    await device.register();
    let c: PhoneCall | null = null;
    device.on('incoming', (x) => (c = x));
    stream.emit('demo-incoming', { call_sid: 'CAin', from: '+5531988887777' });
    const events = record(c!);
    c!.reject();
    expect(api.demoReject).toHaveBeenCalledWith('CAin');
    expect(events).toEqual(['reject']);
  });

  it('does not ring before registering nor after destroy', async () => {
    const { device, stream } = setup();
    const incoming = vi.fn();
    device.on('incoming', incoming);
    stream.up();
    stream.emit('demo-incoming', { call_sid: 'CA1', from: '+5531988887777' });
    expect(incoming).not.toHaveBeenCalled();
    await device.register();
    device.destroy();
    stream.emit('demo-incoming', { call_sid: 'CA2', from: '+5531988887777' });
    expect(incoming).not.toHaveBeenCalled();
  });

  it('emits tokenWillExpire before expiry, rescheduled by updateToken', async () => {
    const { device } = setup(); // ttl 3600 s, warns 60 s before
    const fired = vi.fn();
    device.on('tokenWillExpire', fired);
    await vi.advanceTimersByTimeAsync(3_540_000 - 1);
    expect(fired).not.toHaveBeenCalled();
    device.updateToken(makeToken(3600));
    await vi.advanceTimersByTimeAsync(10);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(3_540_000);
    expect(fired).toHaveBeenCalledOnce();
  });
});
