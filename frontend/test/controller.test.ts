// The phone state machine, driven through a scriptable device with fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/api/client';
import type { TokenInfo } from '../src/api/types';
import { PhoneController, type PhoneConfig } from '../src/phone/controller';
import { SoloElection, BaseElection, type TabRole } from '../src/phone/tab-election';
import { FakeDevice, makeToken } from './fakes';

class ManualElection extends BaseElection {
  joined = false;
  granted: string[] = [];
  denied: string[] = [];
  constructor() {
    super(null, 'me');
  }
  join(): void {
    this.joined = true;
  }
  leave(): void {
    this.joined = false;
    this.setRole('none');
  }
  become(role: TabRole): void {
    this.setRole(role);
  }
  askFrom(from: string): void {
    this.emit('handover-request', from);
  }
  override grantHandover(to: string): void {
    this.granted.push(to);
    this.setRole('follower');
  }
  override denyHandover(to: string): void {
    this.denied.push(to);
  }
  protected takeOver(): void {}
  protected gaveAway(): void {}
}

function memory() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

function setup(opts: { config?: Partial<PhoneConfig>; election?: BaseElection; online?: () => boolean } = {}) {
  const devices: FakeDevice[] = [];
  const presence = { presence: vi.fn(async () => undefined), presenceLeave: vi.fn() };
  let nextRegisterMode: FakeDevice['registerMode'] = 'resolve';
  const fetchToken = vi.fn(async (): Promise<TokenInfo> => makeToken(3600, Date.now()));
  const createDevice = vi.fn(async (token: TokenInfo) => {
    const d = new FakeDevice(token);
    d.registerMode = nextRegisterMode;
    devices.push(d);
    return d;
  });
  const storage = memory();
  const election = opts.election ?? new SoloElection('tab');
  const phone = new PhoneController({
    createDevice,
    fetchToken,
    presence,
    election,
    defaultCountry: () => '55',
    storage,
    isOnline: opts.online,
    random: () => 0.5,
    config: opts.config,
  });
  const last = () => devices[devices.length - 1] as FakeDevice;
  return {
    phone,
    devices,
    last,
    presence,
    fetchToken,
    createDevice,
    storage,
    election,
    setRegisterMode: (m: FakeDevice['registerMode']) => (nextRegisterMode = m),
    s: () => phone.state.get(),
  };
}

async function flush(ms = 0) {
  await vi.advanceTimersByTimeAsync(ms);
}

describe('PhoneController: registration', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('stays idle until started, then goes connecting -> ready', async () => {
    const t = setup();
    expect(t.s().status).toBe('idle');
    expect(t.createDevice).not.toHaveBeenCalled(); // lazy: nothing before the first open
    const seen: string[] = [t.s().status];
    t.phone.state.subscribe((s) => {
      if (seen[seen.length - 1] !== s.status) seen.push(s.status);
    });
    t.phone.start();
    await flush();
    expect(seen).toEqual(['idle', 'connecting', 'ready']);
    expect(t.s()).toMatchObject({ started: true, role: 'owner', status: 'ready', error: null, kind: 'twilio' });
    expect(t.last().register).toHaveBeenCalledOnce();
  });

  it('counts the register() promise and the "registered" event as one registration', async () => {
    const t = setup();
    t.createDevice.mockImplementationOnce(async (token: TokenInfo) => {
      const d = new FakeDevice(token);
      d.register.mockImplementation(() => {
        d.emit('registered'); // the SDK emits, then resolves
        return Promise.resolve();
      });
      t.devices.push(d);
      return d;
    });
    t.phone.start();
    await flush();
    expect(t.s().status).toBe('ready');
    expect(t.fetchToken).toHaveBeenCalledOnce(); // no spurious "reconnect" refresh
    expect(t.presence.presence).toHaveBeenCalledOnce();
  });

  it('attaches the error listener before calling register()', async () => {
    const t = setup();
    t.createDevice.mockImplementationOnce(async (token: TokenInfo) => {
      const d = new FakeDevice(token);
      const on = vi.spyOn(d, 'on');
      d.register.mockImplementation(() => {
        expect(on.mock.calls.map((c) => c[0])).toContain('error');
        return Promise.resolve();
      });
      t.devices.push(d);
      return d;
    });
    t.phone.start();
    await flush();
    expect(t.s().status).toBe('ready');
  });

  it('gives up on a register() that never settles, destroys the device and retries with back-off', async () => {
    const t = setup();
    t.setRegisterMode('hang');
    t.phone.start();
    await flush(14_999);
    expect(t.s().status).toBe('connecting');
    await flush(1);
    expect(t.s()).toMatchObject({ status: 'error', attempt: 1 });
    expect(t.s().error?.code).toBe('register-timeout');
    expect(t.devices[0]?.destroyed).toBe(true);
    expect(t.s().retryAt).toBe(Date.now() + 2000);
    t.setRegisterMode('resolve');
    await flush(1999);
    expect(t.devices).toHaveLength(1);
    await flush(1);
    expect(t.devices).toHaveLength(2);
    expect(t.s()).toMatchObject({ status: 'ready', attempt: 0, retryAt: null });
  });

  it('backs off exponentially across repeated failures', async () => {
    const t = setup();
    t.setRegisterMode('hang');
    t.phone.start();
    const retryDelays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await flush(15_000);
      retryDelays.push((t.s().retryAt ?? 0) - Date.now());
      await flush(t.s().retryAt! - Date.now());
    }
    expect(retryDelays).toEqual([2000, 4000, 8000, 16_000]);
    expect(t.devices.every((d, i) => i === t.devices.length - 1 || d.destroyed)).toBe(true);
  });

  it('fails at once on a device error while connecting (offline SDK: 31000)', async () => {
    const t = setup();
    t.setRegisterMode('hang');
    t.phone.start();
    await flush();
    t.last().emit('error', { code: 31000, message: 'Unknown error' });
    expect(t.s().status).toBe('error');
    expect(t.s().error?.code).toBe(31000);
    expect(t.last().destroyed).toBe(true);
    // The time-out of the abandoned attempt must not count as another failure.
    await flush(15_000);
    expect(t.s().attempt).toBeLessThanOrEqual(1);
  });

  it('ignores a register() of an abandoned attempt that settles late', async () => {
    const t = setup();
    t.setRegisterMode('hang');
    t.phone.start();
    await flush();
    const first = t.last();
    first.emit('error', { code: 53000 });
    expect(t.s().status).toBe('error');
    first.resolveRegister?.();
    await flush();
    expect(t.s().status).toBe('error'); // not "ready" with a destroyed device
    expect(t.s().retryAt).not.toBeNull();
  });

  it('explains a server without Twilio (503) and retries slowly', async () => {
    const t = setup();
    t.fetchToken.mockRejectedValueOnce(new ApiError(503, 'twilio_not_configured', 'no'));
    t.phone.start();
    await flush();
    expect(t.s().error).toMatchObject({ code: 'twilio-not-configured', retry: 'slow' });
    expect(t.s().retryAt).toBe(Date.now() + 30_000);
  });

  it('times out a token request that hangs', async () => {
    const t = setup();
    t.fetchToken.mockImplementationOnce(() => new Promise(() => undefined));
    t.phone.start();
    await flush(10_000);
    expect(t.s().error?.code).toBe('token-timeout');
    expect(t.createDevice).not.toHaveBeenCalled();
  });

  it('destroys a device that arrives after its load time-out', async () => {
    const t = setup({ config: { loadTimeoutMs: 1000 } });
    let release!: (d: FakeDevice) => void;
    t.createDevice.mockImplementationOnce(() => new Promise<FakeDevice>((r) => (release = r)));
    t.phone.start();
    await flush(1000);
    expect(t.s().error?.code).toBe('load-timeout');
    const late = new FakeDevice(makeToken());
    release(late);
    await flush();
    expect(late.destroyed).toBe(true);
  });

  it('reports offline instead of error when the browser is offline', async () => {
    let online = false;
    const t = setup({ online: () => online });
    t.fetchToken.mockRejectedValueOnce(new ApiError(0, 'network', 'failed'));
    t.phone.start();
    await flush();
    expect(t.s().status).toBe('offline');
    online = true;
    t.phone.onOnline();
    await flush();
    expect(t.s().status).toBe('ready');
  });

  it('goes offline on unregistered and rebuilds the device if the SDK does not recover', async () => {
    const t = setup();
    t.phone.start();
    await flush();
    const first = t.last();
    first.registered = false;
    first.emit('unregistered');
    expect(t.s().status).toBe('offline');
    await flush(20_000); // watchdog
    expect(first.destroyed).toBe(true);
    expect(t.s().status).toBe('error');
    await flush(2000);
    expect(t.devices).toHaveLength(2);
    expect(t.s().status).toBe('ready');
  });

  it('accepts the SDK re-registering by itself, and refreshes the token after that reconnect', async () => {
    const t = setup();
    t.phone.start();
    await flush();
    const d = t.last();
    t.fetchToken.mockClear();
    d.emit('unregistered');
    d.emit('registered');
    expect(t.s().status).toBe('ready');
    await flush();
    expect(t.fetchToken).toHaveBeenCalledOnce();
    expect(d.updateToken).toHaveBeenCalledOnce();
    await flush(20_000);
    expect(d.destroyed).toBe(false); // watchdog was cleared
  });

  it('refreshes the token on tokenWillExpire and on its own timer at 80 % of the ttl', async () => {
    const t = setup();
    t.phone.start();
    await flush();
    const d = t.last();
    t.fetchToken.mockClear();
    d.emit('tokenWillExpire');
    await flush();
    expect(d.updateToken).toHaveBeenCalledTimes(1);
    await flush(0.8 * 3600 * 1000);
    expect(d.updateToken).toHaveBeenCalledTimes(2);
  });

  it('on an expired-token error with no call, rebuilds with a fresh token', async () => {
    const t = setup();
    t.phone.start();
    await flush();
    t.last().emit('error', { code: 31205 });
    expect(t.s().error?.code).toBe(31205);
    await flush(2000);
    expect(t.devices).toHaveLength(2);
    expect(t.s().status).toBe('ready');
  });

  it('re-registers when the tab becomes visible and the device silently dropped its registration', async () => {
    const t = setup();
    t.phone.start();
    await flush();
    const d = t.last();
    d.registered = false;
    d.register.mockClear();
    t.phone.onVisible();
    expect(t.s().status).toBe('offline');
    await flush();
    expect(d.register).toHaveBeenCalledOnce();
    expect(t.s().status).toBe('ready');
  });

  it('retries at once when the network comes back after an error', async () => {
    const t = setup();
    t.setRegisterMode('hang');
    t.phone.start();
    await flush(15_000);
    expect(t.s().status).toBe('error');
    t.setRegisterMode('resolve');
    t.phone.onOnline();
    await flush();
    expect(t.s().status).toBe('ready');
  });

  it('shows a passing device error while still registered, then clears it', async () => {
    const t = setup();
    t.phone.start();
    await flush();
    t.last().emit('error', { code: 31005 });
    expect(t.s()).toMatchObject({ status: 'ready', error: { code: 31005 } });
    await flush(30_000);
    expect(t.s().error).toBeNull();
    expect(t.last().destroyed).toBe(false);
  });

  it('marks the phone offline when the browser goes offline', async () => {
    const t = setup();
    t.phone.start();
    await flush();
    t.phone.onOffline();
    expect(t.s().status).toBe('offline');
    expect(t.s().error?.code).toBe('offline');
  });
});

describe('PhoneController: presence', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('beats "available" every 10 s while registered, "away" once, and leaves by beacon', async () => {
    const t = setup();
    t.phone.start();
    await flush();
    expect(t.presence.presence).toHaveBeenCalledWith('available');
    t.presence.presence.mockClear();
    await flush(30_000);
    expect(t.presence.presence).toHaveBeenCalledTimes(3);
    t.presence.presence.mockClear();
    t.phone.setAway(true);
    await flush(30_000);
    expect(t.presence.presence.mock.calls).toEqual([['away']]);
    expect(t.storage.m.get('ramal.phone.away')).toBe('1');
    t.phone.setAway(false);
    expect(t.presence.presence).toHaveBeenLastCalledWith('available');
    t.phone.onPageHide();
    expect(t.presence.presenceLeave).toHaveBeenCalledOnce();
  });

  it('stops beating while unregistered', async () => {
    const t = setup();
    t.phone.start();
    await flush();
    t.last().emit('unregistered');
    t.presence.presence.mockClear();
    await flush(15_000);
    expect(t.presence.presence).not.toHaveBeenCalled();
  });
});

describe('PhoneController: calls', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => vi.useRealTimers());

  async function ready() {
    const t = setup();
    t.phone.start();
    await flush();
    return t;
  }

  it('dials a normalised number and follows outgoing -> ringing -> in-call -> ended', async () => {
    const t = await ready();
    const r = t.phone.dial('31 99999-9999');
    expect(r).toEqual({ ok: true, e164: '+5531999999999' });
    expect(t.last().connect).toHaveBeenCalledWith('+5531999999999');
    expect(t.s().call).toMatchObject({ phase: 'outgoing', direction: 'outbound', number: '+5531999999999' });
    await flush();
    const call = t.last().calls[0]!;
    call.emit('ringing');
    expect(t.s().call?.ringing).toBe(true);
    call.emit('accept');
    expect(t.s().call).toMatchObject({ phase: 'in-call', acceptedAt: Date.now(), ringing: false });
    expect(t.phone.sendDigits('12#')).toBe(true);
    expect(call.sendDigits).toHaveBeenCalledWith('12#');
    expect(t.phone.sendDigits('1a')).toBe(false);
    t.phone.toggleMute();
    expect(call.muted).toBe(true);
    expect(t.s().call?.muted).toBe(true);
    await flush(5000);
    t.phone.hangup();
    expect(call.disconnect).toHaveBeenCalledOnce();
    expect(t.s().call).toMatchObject({ phase: 'ended', endReason: 'hangup', digits: '12#' });
    expect((t.s().call!.endedAt! - t.s().call!.acceptedAt!) / 1000).toBe(5);
    expect(t.s().lastNumber).toBe('+5531999999999');
    expect(t.storage.m.get('ramal.phone.last')).toBe('+5531999999999');
    await flush(4000);
    expect(t.s().call).toBeNull();
  });

  it('redials the last number', async () => {
    const t = await ready();
    t.phone.dial('(31) 3333-4444');
    await flush();
    t.last().calls[0]!.emit('disconnect');
    await flush(4000);
    expect(t.phone.redial()).toEqual({ ok: true, e164: '+553133334444' });
    expect(t.last().connect).toHaveBeenLastCalledWith('+553133334444');
  });

  it('refuses bad numbers, a phone that is not ready, and a second call', async () => {
    const t = setup();
    expect(t.phone.dial('31 99999-9999')).toEqual({ ok: false, problem: 'not-ready' });
    t.phone.start();
    await flush();
    expect(t.phone.dial('99999-9999')).toEqual({ ok: false, problem: 'missing-area-code' });
    t.phone.dial('31 99999-9999');
    expect(t.phone.dial('31 98888-7777')).toEqual({ ok: false, problem: 'busy' });
    expect(t.last().connect).toHaveBeenCalledOnce();
  });

  it('ends with connect-timeout when connect() never settles, and drops a late call', async () => {
    const t = await ready();
    t.last().connectMode = 'hang';
    t.phone.dial('31 99999-9999');
    await flush(20_000);
    expect(t.s().call).toMatchObject({ phase: 'ended', endReason: 'error' });
    expect(t.s().call?.error?.code).toBe('connect-timeout');
    const late = t.last().calls[0]!;
    t.last().pendingConnect?.resolve(late);
    await flush();
    expect(late.disconnect).toHaveBeenCalledOnce();
  });

  it('hangs up a call whose connect() resolves after the agent hung up', async () => {
    const t = await ready();
    t.last().connectMode = 'hang';
    t.phone.dial('31 99999-9999');
    t.phone.hangup();
    expect(t.s().call?.phase).toBe('ended');
    const call = t.last().calls[0]!;
    t.last().pendingConnect?.resolve(call);
    await flush();
    expect(call.disconnect).toHaveBeenCalledOnce();
  });

  it('ends an outgoing call on busy (31486) with the error shown', async () => {
    const t = await ready();
    t.phone.dial('31 99999-9999');
    await flush();
    const call = t.last().calls[0]!;
    call.emit('error', { code: 31486 });
    expect(t.s().call).toMatchObject({ phase: 'ended', endReason: 'error' });
    expect(t.s().call?.error?.code).toBe(31486);
  });

  it('treats 31005 after the call connected as the normal end of a call', async () => {
    const t = await ready();
    t.phone.dial('31 99999-9999');
    await flush();
    const call = t.last().calls[0]!;
    call.emit('accept');
    call.emit('error', { code: 31005 });
    expect(t.s().call?.phase).toBe('in-call');
    expect(t.s().call?.error).toBeNull();
    call.emit('disconnect');
    expect(t.s().call).toMatchObject({ phase: 'ended', endReason: 'remote', error: null });
  });

  it('shows call-quality warnings as they come and go', async () => {
    const t = await ready();
    t.phone.dial('31 99999-9999');
    await flush();
    const call = t.last().calls[0]!;
    call.emit('accept');
    call.emit('warning', 'high-rtt');
    call.emit('warning', 'low-mos');
    call.emit('warning', 'high-rtt');
    expect(t.s().call?.warnings).toEqual(['high-rtt', 'low-mos']);
    call.emit('warning-cleared', 'high-rtt');
    expect(t.s().call?.warnings).toEqual(['low-mos']);
    call.emit('reconnecting');
    expect(t.s().call?.reconnecting).toBe(true);
    call.emit('reconnected');
    expect(t.s().call?.reconnecting).toBe(false);
  });

  it('rings for an incoming call, emits "incoming", accepts, and ends when the caller hangs up', async () => {
    const t = await ready();
    const incoming = vi.fn();
    t.phone.events.on('incoming', incoming);
    const call = t.last().ring('+5531988887777');
    expect(t.s().call).toMatchObject({ phase: 'incoming', direction: 'inbound', number: '+5531988887777' });
    expect(incoming).toHaveBeenCalledOnce();
    t.phone.accept();
    expect(call.accept).toHaveBeenCalledOnce();
    expect(t.s().call?.answering).toBe(true);
    t.phone.accept(); // double click
    expect(call.accept).toHaveBeenCalledOnce();
    call.emit('accept');
    expect(t.s().call?.phase).toBe('in-call');
    call.emit('disconnect');
    expect(t.s().call).toMatchObject({ phase: 'ended', endReason: 'remote' });
  });

  it('marks a call that stopped ringing before an answer as missed', async () => {
    const t = await ready();
    const call = t.last().ring('+5531988887777');
    call.emit('cancel');
    expect(t.s().call).toMatchObject({ phase: 'ended', endReason: 'missed' });
  });

  it('rejects an incoming call on request', async () => {
    const t = await ready();
    const call = t.last().ring('+5531988887777');
    t.phone.reject();
    expect(call.reject).toHaveBeenCalledOnce();
    expect(t.s().call?.endReason).toBe('rejected');
  });

  it('hang-up during ringing rejects', async () => {
    const t = await ready();
    const call = t.last().ring('+5531988887777');
    t.phone.hangup();
    expect(call.reject).toHaveBeenCalledOnce();
  });

  it('rejects a second incoming call while busy', async () => {
    const t = await ready();
    t.last().ring('+5531988887777');
    const second = t.last().ring('+5531977776666');
    expect(second.reject).toHaveBeenCalledOnce();
    expect(t.s().call?.number).toBe('+5531988887777');
  });

  it('ends the call with a microphone error when answering is refused by the browser', async () => {
    const t = await ready();
    const call = t.last().ring('+5531988887777');
    t.phone.accept();
    call.emit('error', { code: 31401 });
    expect(t.s().call).toMatchObject({ phase: 'ended', endReason: 'error' });
    expect(t.s().call?.error).toMatchObject({ code: 31401, retry: 'slow' });
  });

  it('keeps a call up through a device-level network error and does not rebuild mid-call', async () => {
    const t = await ready();
    t.phone.dial('31 99999-9999');
    await flush();
    t.last().calls[0]!.emit('accept');
    const d = t.last();
    d.registered = false;
    d.emit('error', { code: 31009 });
    d.emit('unregistered');
    await flush(60_000);
    expect(d.destroyed).toBe(false);
    expect(t.s().call?.phase).toBe('in-call');
    d.calls[0]!.emit('disconnect');
    await flush(20_000);
    expect(d.destroyed).toBe(true); // rebuilt once the call was over
  });
});

describe('PhoneController: tabs', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('a follower tab creates no device and shows the owner state', async () => {
    const election = new ManualElection();
    const t = setup({ election });
    t.phone.start();
    expect(election.joined).toBe(true);
    election.become('follower');
    (election as unknown as { emit: (e: string, s: unknown) => void }).emit('remote', {
      status: 'ready',
      callPhase: null,
      number: null,
      away: false,
    });
    await flush();
    expect(t.createDevice).not.toHaveBeenCalled();
    expect(t.s()).toMatchObject({ role: 'follower', status: 'idle', remote: { status: 'ready' } });
  });

  it('becomes owner when the owner tab goes away', async () => {
    const election = new ManualElection();
    const t = setup({ election });
    t.phone.start();
    election.become('follower');
    election.become('owner');
    await flush();
    expect(t.s().status).toBe('ready');
  });

  it('grants a hand-over when idle: destroys its device first', async () => {
    const election = new ManualElection();
    const t = setup({ election });
    t.phone.start();
    election.become('owner');
    await flush();
    const d = t.last();
    election.askFrom('other');
    expect(d.destroyed).toBe(true);
    expect(election.granted).toEqual(['other']);
    expect(t.s()).toMatchObject({ role: 'follower', status: 'idle' });
    t.presence.presence.mockClear();
    await flush(30_000);
    expect(t.presence.presence).not.toHaveBeenCalled();
  });

  it('denies a hand-over during a call', async () => {
    const election = new ManualElection();
    const t = setup({ election });
    t.phone.start();
    election.become('owner');
    await flush();
    t.last().ring('+5531988887777');
    election.askFrom('other');
    expect(election.denied).toEqual(['other']);
    expect(t.last().destroyed).toBe(false);
  });
});

describe('PhoneController: destroy', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('destroys the device, leaves presence and stops all timers', async () => {
    const t = setup();
    t.phone.start();
    await flush();
    t.phone.destroy();
    expect(t.last().destroyed).toBe(true);
    expect(t.presence.presenceLeave).toHaveBeenCalledOnce();
    expect(t.s().status).toBe('idle');
    t.presence.presence.mockClear();
    await flush(3_600_000);
    expect(t.presence.presence).not.toHaveBeenCalled();
    expect(t.fetchToken).toHaveBeenCalledOnce();
  });
});
