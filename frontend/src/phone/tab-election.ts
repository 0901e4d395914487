// One ringing tab per agent. Every tab of the same agent that opened the webphone competes for
// one owner role; only the owner creates and registers a device, so an incoming call rings once.
// The owner publishes its phone state on a BroadcastChannel; the other tabs show it and may ask
// for a hand-over. Ownership uses the Web Locks API (released by the browser when the owner tab
// dies); without it, a heartbeat protocol over the BroadcastChannel (broadcast-election.ts).
import { Emitter } from '../util/emitter';
import type { CallPhase, RegStatus } from './phone-state';

/** What the owner tab tells the others. */
export interface SharedPhoneState {
  status: RegStatus;
  callPhase: CallPhase | null;
  number: string | null;
  away: boolean;
}

export type TabRole = 'none' | 'owner' | 'follower';

export type ElectionEvents = {
  role: [TabRole];
  /** The owner's state as seen by a follower (null when no owner is known). */
  remote: [SharedPhoneState | null];
  /** (Owner) another tab asks to take over; answer with grantHandover or denyHandover. */
  'handover-request': [from: string];
  /** (Follower) the owner refused (it is in a call). */
  'handover-denied': [];
};

export interface TabElection {
  readonly tabId: string;
  role(): TabRole;
  remote(): SharedPhoneState | null;
  /** Starts competing for ownership; the result arrives as a `role` event. */
  join(): void;
  /** Stops competing; an owner gives its role to the next tab. */
  leave(): void;
  /** (Owner) publishes the phone state to the other tabs. */
  publish(state: SharedPhoneState): void;
  /** (Follower) asks the owner to hand over. False when no owner is known. */
  requestHandover(): boolean;
  /** (Owner) lets `to` take over; call after the device was destroyed. */
  grantHandover(to: string): void;
  denyHandover(to: string): void;
  on: Emitter<ElectionEvents>['on'];
}

/** The part of BroadcastChannel used. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((ev: MessageEvent) => void) | null;
  close(): void;
}

/** The part of navigator.locks used. */
export interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<void> | void,
  ): Promise<unknown>;
}

export type ElectionMessage =
  | { t: 'state'; from: string; state: SharedPhoneState }
  | { t: 'hello'; from: string }
  | { t: 'gone'; from: string }
  | { t: 'handover-request' | 'handover-grant' | 'handover-deny'; from: string; to: string }
  | { t: 'beat'; from: string; ts: number };

type Outgoing = ElectionMessage extends infer M ? (M extends { from: string } ? Omit<M, 'from'> : never) : never;

/** Channel messaging, remote state and hand-over bookkeeping shared by both strategies. */
export abstract class BaseElection extends Emitter<ElectionEvents> implements TabElection {
  readonly tabId: string;
  protected readonly channel: ChannelLike | null;
  #role: TabRole = 'none';
  #remote: SharedPhoneState | null = null;
  #remoteFrom: string | null = null;
  #published: SharedPhoneState | null = null;

  constructor(channel: ChannelLike | null, tabId: string) {
    super();
    this.channel = channel;
    this.tabId = tabId;
    if (channel) {
      channel.onmessage = (ev: MessageEvent) => {
        const msg = ev.data as ElectionMessage | null;
        if (msg && typeof msg === 'object' && typeof msg.t === 'string' && msg.from !== tabId) {
          this.onMessage(msg);
        }
      };
      // Even before joining, a tab shows the owner's state: ask it to publish.
      this.hello();
    }
  }

  abstract join(): void;
  abstract leave(): void;
  /** The owner agreed to hand over to this tab. */
  protected abstract takeOver(): void;
  /** This (owner) tab granted a hand-over. */
  protected abstract gaveAway(to: string): void;

  role(): TabRole {
    return this.#role;
  }

  remote(): SharedPhoneState | null {
    return this.#remote;
  }

  /** The tab id of the owner, as a follower knows it. */
  protected ownerId(): string | null {
    return this.#remoteFrom;
  }

  protected setRole(role: TabRole): void {
    if (role === this.#role) return;
    this.#role = role;
    if (role === 'owner') {
      this.#setRemote(null, null);
      if (this.#published) this.post({ t: 'state', state: this.#published });
    }
    this.emit('role', role);
  }

  protected post(msg: Outgoing): void {
    try {
      this.channel?.postMessage({ ...msg, from: this.tabId });
    } catch {
      // A closed channel (page unloading) is not worth an error.
    }
  }

  protected noteOwner(from: string): void {
    if (this.#remoteFrom !== from) this.#remoteFrom = from;
  }

  #setRemote(state: SharedPhoneState | null, from: string | null): void {
    this.#remoteFrom = from;
    this.#remote = state;
    this.emit('remote', state);
  }

  protected onMessage(msg: ElectionMessage): void {
    switch (msg.t) {
      case 'state':
        if (this.#role !== 'owner') this.#setRemote(msg.state, msg.from);
        break;
      case 'hello':
        if (this.#role === 'owner' && this.#published) {
          this.post({ t: 'state', state: this.#published });
        }
        break;
      case 'gone':
        if (msg.from === this.#remoteFrom) this.#setRemote(null, null);
        break;
      case 'handover-request':
        if (msg.to === this.tabId && this.#role === 'owner') this.emit('handover-request', msg.from);
        break;
      case 'handover-grant':
        if (msg.to === this.tabId && this.#role !== 'owner') this.takeOver();
        break;
      case 'handover-deny':
        if (msg.to === this.tabId) this.emit('handover-denied');
        break;
      case 'beat':
        break;
    }
  }

  publish(state: SharedPhoneState): void {
    const prev = this.#published;
    this.#published = state;
    if (this.#role === 'owner' && JSON.stringify(prev) !== JSON.stringify(state)) {
      this.post({ t: 'state', state });
    }
  }

  requestHandover(): boolean {
    const owner = this.#remoteFrom;
    if (!owner || this.#role === 'owner') return false;
    this.post({ t: 'handover-request', to: owner });
    return true;
  }

  grantHandover(to: string): void {
    if (this.#role !== 'owner') return;
    this.post({ t: 'handover-grant', to });
    this.gaveAway(to);
  }

  denyHandover(to: string): void {
    this.post({ t: 'handover-deny', to });
  }

  protected announceGone(): void {
    this.post({ t: 'gone' });
  }

  protected hello(): void {
    this.post({ t: 'hello' });
  }
}

/** Web Locks strategy: the holder of the lock `ramal-phone-<agent>` is the owner. */
export class LockElection extends BaseElection {
  readonly #locks: LockManagerLike;
  readonly #name: string;
  readonly #reclaimMs: number;
  #joined = false;
  #epoch = 0;
  #release: (() => void) | null = null;
  #queued: AbortController | null = null;
  #reclaim: ReturnType<typeof setTimeout> | null = null;

  constructor(
    name: string,
    locks: LockManagerLike,
    channel: ChannelLike | null,
    tabId: string,
    reclaimMs = 3000,
  ) {
    super(channel, tabId);
    this.#locks = locks;
    this.#name = name;
    this.#reclaimMs = reclaimMs;
  }

  join(): void {
    if (this.#joined) return;
    this.#joined = true;
    const epoch = ++this.#epoch;
    this.hello();
    this.#locks
      .request(this.#name, { ifAvailable: true }, (lock) => {
        if (epoch !== this.#epoch) return undefined;
        if (!lock) {
          this.setRole('follower');
          this.#queue();
          return undefined;
        }
        return this.#hold();
      })
      .catch(() => this.#lost(epoch));
  }

  leave(): void {
    if (!this.#joined) return;
    this.#joined = false;
    this.#epoch++;
    this.#clearReclaim();
    this.#queued?.abort();
    this.#queued = null;
    const wasOwner = this.role() === 'owner' || this.#release !== null;
    this.#release?.();
    this.#release = null;
    if (wasOwner) this.announceGone();
    this.setRole('none');
  }

  #hold(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#release = resolve;
      this.setRole('owner');
    });
  }

  #queue(): void {
    const epoch = this.#epoch;
    const ac = new AbortController();
    this.#queued = ac;
    this.#locks
      .request(this.#name, { signal: ac.signal }, () => {
        if (epoch !== this.#epoch || this.#queued !== ac) return undefined;
        this.#queued = null;
        return this.#hold();
      })
      .catch(() => this.#lost(epoch));
  }

  // A request failed: either our own abort (nothing held) or the held lock was stolen.
  #lost(epoch: number): void {
    if (epoch !== this.#epoch || !this.#release) return;
    this.#release();
    this.#release = null;
    this.#clearReclaim();
    this.setRole('follower');
    if (this.#joined) this.#queue();
  }

  protected takeOver(): void {
    if (!this.#joined) return;
    this.#queued?.abort();
    this.#queued = null;
    const epoch = this.#epoch;
    this.#locks
      .request(this.#name, { steal: true }, () => {
        if (epoch !== this.#epoch) return undefined;
        return this.#hold();
      })
      .catch(() => this.#lost(epoch));
  }

  protected gaveAway(): void {
    // Stop acting as owner now; the lock goes when the requester steals it. If it never does
    // (the tab closed meanwhile), take the role back rather than leaving nobody ringing.
    this.setRole('follower');
    this.#clearReclaim();
    this.#reclaim = setTimeout(() => {
      this.#reclaim = null;
      if (this.#release && this.#joined) this.setRole('owner');
    }, this.#reclaimMs);
  }

  #clearReclaim(): void {
    if (this.#reclaim) clearTimeout(this.#reclaim);
    this.#reclaim = null;
  }
}

/** A tab alone (no BroadcastChannel, no locks): always the owner once joined. */
export class SoloElection extends BaseElection {
  constructor(tabId: string) {
    super(null, tabId);
  }
  join(): void {
    this.setRole('owner');
  }
  leave(): void {
    this.setRole('none');
  }
  protected takeOver(): void {}
  protected gaveAway(): void {}
}

/** A random id for this tab. */
export function newTabId(random: () => number = Math.random): string {
  return Math.floor(random() * 2 ** 48).toString(36).padStart(10, '0');
}
