import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BroadcastElection } from '../src/phone/broadcast-election';
import { createElection } from '../src/phone/election-factory';
import {
  LockElection,
  SoloElection,
  type SharedPhoneState,
  type TabElection,
  type TabRole,
} from '../src/phone/tab-election';
import { FakeBus, FakeLocks } from './fakes';

const STATE: SharedPhoneState = { status: 'ready', callPhase: null, number: null, away: false };

function track(e: TabElection) {
  const roles: TabRole[] = [];
  e.on('role', (r) => roles.push(r));
  return roles;
}

const owners = (tabs: TabElection[]) => tabs.filter((t) => t.role() === 'owner').length;

describe('LockElection (Web Locks + BroadcastChannel)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function tab(locks: FakeLocks, bus: FakeBus, id: string) {
    return new LockElection('ramal-phone-7', locks, bus.create('ramal-phone-7'), id);
  }

  it('elects exactly one owner among several tabs', async () => {
    const locks = new FakeLocks();
    const bus = new FakeBus();
    const tabs = ['a', 'b', 'c'].map((id) => tab(locks, bus, id));
    tabs.forEach((t) => t.join());
    await vi.advanceTimersByTimeAsync(10);
    expect(owners(tabs)).toBe(1);
    expect(tabs[0]?.role()).toBe('owner');
    expect(tabs.slice(1).map((t) => t.role())).toEqual(['follower', 'follower']);
  });

  it('shows the owner state to followers, including late joiners', async () => {
    const locks = new FakeLocks();
    const bus = new FakeBus();
    const a = tab(locks, bus, 'a');
    a.join();
    await vi.advanceTimersByTimeAsync(10);
    a.publish({ ...STATE, callPhase: 'in-call', number: '+5531999999999' });
    const b = tab(locks, bus, 'b');
    const remote = vi.fn();
    b.on('remote', remote);
    b.join(); // says hello; the owner answers with its state
    await vi.advanceTimersByTimeAsync(10);
    expect(b.remote()).toEqual({ ...STATE, callPhase: 'in-call', number: '+5531999999999' });
    expect(remote).toHaveBeenCalled();
  });

  it('a tab that has not opened the phone still sees the owner state', async () => {
    const locks = new FakeLocks();
    const bus = new FakeBus();
    const a = tab(locks, bus, 'a');
    a.join();
    await vi.advanceTimersByTimeAsync(10);
    a.publish(STATE);
    const b = tab(locks, bus, 'b'); // never joins
    await vi.advanceTimersByTimeAsync(10);
    expect(b.role()).toBe('none');
    expect(b.remote()).toEqual(STATE);
    expect(locks.holder('ramal-phone-7')).toBe(true);
  });

  it('passes ownership to a waiting tab when the owner leaves', async () => {
    const locks = new FakeLocks();
    const bus = new FakeBus();
    const a = tab(locks, bus, 'a');
    const b = tab(locks, bus, 'b');
    const bRoles = track(b);
    a.join();
    await vi.advanceTimersByTimeAsync(10);
    b.join();
    await vi.advanceTimersByTimeAsync(10);
    a.leave();
    await vi.advanceTimersByTimeAsync(10);
    expect(a.role()).toBe('none');
    expect(b.role()).toBe('owner');
    expect(bRoles).toEqual(['follower', 'owner']);
  });

  it('hands over on request: the requester steals the lock, the old owner waits', async () => {
    const locks = new FakeLocks();
    const bus = new FakeBus();
    const a = tab(locks, bus, 'a');
    const b = tab(locks, bus, 'b');
    const c = tab(locks, bus, 'c');
    a.on('handover-request', (from) => a.grantHandover(from));
    for (const t of [a, b, c]) {
      t.join();
      await vi.advanceTimersByTimeAsync(10);
    }
    a.publish(STATE);
    await vi.advanceTimersByTimeAsync(10);
    expect(c.requestHandover()).toBe(true); // c is last in the queue but asked
    await vi.advanceTimersByTimeAsync(10);
    expect(c.role()).toBe('owner');
    expect(a.role()).toBe('follower');
    expect(b.role()).toBe('follower');
    expect(owners([a, b, c])).toBe(1);
    // The old owner queued again: when c leaves, someone else takes over.
    c.leave();
    await vi.advanceTimersByTimeAsync(10);
    expect(owners([a, b, c])).toBe(1);
  });

  it('a denied hand-over leaves roles unchanged and tells the requester', async () => {
    const locks = new FakeLocks();
    const bus = new FakeBus();
    const a = tab(locks, bus, 'a');
    const b = tab(locks, bus, 'b');
    a.on('handover-request', (from) => a.denyHandover(from));
    a.join();
    await vi.advanceTimersByTimeAsync(10);
    a.publish(STATE);
    b.join();
    await vi.advanceTimersByTimeAsync(10);
    const denied = vi.fn();
    b.on('handover-denied', denied);
    b.requestHandover();
    await vi.advanceTimersByTimeAsync(10);
    expect(denied).toHaveBeenCalledOnce();
    expect(a.role()).toBe('owner');
    expect(b.role()).toBe('follower');
  });

  it('takes the role back if the requester vanished before taking over', async () => {
    const locks = new FakeLocks();
    const bus = new FakeBus();
    const a = new LockElection('n', locks, bus.create('n'), 'a', 3000);
    const b = new LockElection('n', locks, bus.create('n'), 'b', 3000);
    a.join();
    await vi.advanceTimersByTimeAsync(10);
    b.join();
    await vi.advanceTimersByTimeAsync(10);
    b.leave(); // b's tab closes
    a.grantHandover('b');
    expect(a.role()).toBe('follower');
    await vi.advanceTimersByTimeAsync(3000);
    expect(a.role()).toBe('owner');
  });

  it('a follower cannot ask for a hand-over before knowing the owner', async () => {
    const locks = new FakeLocks();
    const bus = new FakeBus();
    const a = tab(locks, bus, 'a');
    a.join();
    await vi.advanceTimersByTimeAsync(10);
    expect(a.requestHandover()).toBe(false); // owner itself
  });
});

describe('BroadcastElection (no Web Locks)', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  const opts = { settleMs: 400, beatMs: 1000, timeoutMs: 3500, random: () => 0.5 };

  it('a lone tab claims after listening for an owner', async () => {
    const bus = new FakeBus();
    const a = new BroadcastElection(bus.create('n') as never, 'a', opts);
    a.join();
    expect(a.role()).toBe('none');
    await vi.advanceTimersByTimeAsync(400);
    expect(a.role()).toBe('owner');
  });

  it('a tab joining later follows the existing owner', async () => {
    const bus = new FakeBus();
    const a = new BroadcastElection(bus.create('n') as never, 'a', opts);
    const b = new BroadcastElection(bus.create('n') as never, 'b', opts);
    a.join();
    await vi.advanceTimersByTimeAsync(1000);
    b.join();
    await vi.advanceTimersByTimeAsync(5000);
    expect(a.role()).toBe('owner');
    expect(b.role()).toBe('follower');
  });

  it('resolves simultaneous claims to one owner', async () => {
    const bus = new FakeBus();
    const tabs = ['c', 'a', 'b'].map((id) => new BroadcastElection(bus.create('n') as never, id, opts));
    tabs.forEach((t) => t.join());
    await vi.advanceTimersByTimeAsync(3000);
    expect(owners(tabs)).toBe(1);
    // Same claim time: the smallest tab id wins, on every side.
    expect(tabs.find((t) => t.role() === 'owner')?.tabId).toBe('a');
  });

  it('a follower takes over when the owner stops beating (tab killed)', async () => {
    const bus = new FakeBus();
    const aChannel = bus.create('n');
    const a = new BroadcastElection(aChannel as never, 'a', opts);
    const b = new BroadcastElection(bus.create('n') as never, 'b', opts);
    a.join();
    await vi.advanceTimersByTimeAsync(1000);
    b.join();
    await vi.advanceTimersByTimeAsync(2000);
    expect(b.role()).toBe('follower');
    aChannel.close(); // a vanished without saying goodbye
    await vi.advanceTimersByTimeAsync(5000);
    expect(b.role()).toBe('owner');
  });

  it('a follower takes over at once when the owner leaves', async () => {
    const bus = new FakeBus();
    const a = new BroadcastElection(bus.create('n') as never, 'a', opts);
    const b = new BroadcastElection(bus.create('n') as never, 'b', opts);
    a.join();
    await vi.advanceTimersByTimeAsync(1000);
    b.join();
    await vi.advanceTimersByTimeAsync(1000);
    a.leave();
    await vi.advanceTimersByTimeAsync(200);
    expect(b.role()).toBe('owner');
  });

  it('hands over on request without a double owner', async () => {
    const bus = new FakeBus();
    const a = new BroadcastElection(bus.create('n') as never, 'a', opts);
    const b = new BroadcastElection(bus.create('n') as never, 'b', opts);
    a.on('handover-request', (from) => a.grantHandover(from));
    a.join();
    await vi.advanceTimersByTimeAsync(1000);
    a.publish(STATE);
    b.join();
    await vi.advanceTimersByTimeAsync(1500);
    const roles: Array<[TabRole, TabRole]> = [];
    a.on('role', () => roles.push([a.role(), b.role()]));
    b.on('role', () => roles.push([a.role(), b.role()]));
    b.requestHandover();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(b.role()).toBe('owner');
    expect(a.role()).toBe('follower');
    expect(roles.some(([x, y]) => x === 'owner' && y === 'owner')).toBe(false);
  });
});

describe('createElection', () => {
  it('prefers Web Locks, falls back to BroadcastChannel, then to a single tab', () => {
    const bus = new FakeBus();
    expect(createElection(1, { locks: new FakeLocks(), createChannel: bus.create })).toBeInstanceOf(LockElection);
    expect(createElection(1, { locks: null, createChannel: bus.create })).toBeInstanceOf(BroadcastElection);
    expect(createElection(1, { locks: null, createChannel: null })).toBeInstanceOf(SoloElection);
  });
});
