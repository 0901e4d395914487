// Fallback election for browsers without the Web Locks API (or outside a secure context): the
// owner sends a heartbeat on the BroadcastChannel; a follower that hears none for `timeoutMs`
// claims the role. When two tabs claim at once the older claim (then the smaller tab id) wins,
// and both sides reach the same verdict from the same two messages.
import { BaseElection, type ChannelLike, type ElectionMessage } from './tab-election';

export interface BroadcastElectionOptions {
  /** How long a joining tab listens for an owner before claiming. */
  settleMs?: number;
  beatMs?: number;
  timeoutMs?: number;
  now?: () => number;
  random?: () => number;
}

export class BroadcastElection extends BaseElection {
  readonly #o: Required<Omit<BroadcastElectionOptions, 'now' | 'random'>> & {
    now: () => number;
    random: () => number;
  };
  #joined = false;
  #claimTs = 0;
  #ownerTs = 0;
  #lastOwnerSeen = 0;
  #beat: ReturnType<typeof setInterval> | null = null;
  #watch: ReturnType<typeof setInterval> | null = null;
  #pending: ReturnType<typeof setTimeout> | null = null;

  constructor(channel: ChannelLike, tabId: string, opts: BroadcastElectionOptions = {}) {
    super(channel, tabId);
    this.#o = {
      settleMs: opts.settleMs ?? 400,
      beatMs: opts.beatMs ?? 1000,
      timeoutMs: opts.timeoutMs ?? 3500,
      now: opts.now ?? (() => Date.now()),
      random: opts.random ?? Math.random,
    };
  }

  join(): void {
    if (this.#joined) return;
    this.#joined = true;
    this.hello();
    this.#later(this.#o.settleMs);
    this.#watch = setInterval(() => {
      if (this.#joined && this.role() !== 'owner' && !this.#pending) {
        if (this.#o.now() - this.#lastOwnerSeen > this.#o.timeoutMs) this.#claim();
      }
    }, this.#o.beatMs);
  }

  leave(): void {
    if (!this.#joined) return;
    this.#joined = false;
    const wasOwner = this.role() === 'owner';
    this.#stopTimers();
    if (wasOwner) this.announceGone();
    this.setRole('none');
  }

  // Claim after `ms` unless an owner shows up meanwhile.
  #later(ms: number): void {
    if (this.#pending) clearTimeout(this.#pending);
    this.#pending = setTimeout(() => {
      this.#pending = null;
      if (!this.#joined || this.role() === 'owner') return;
      if (this.#o.now() - this.#lastOwnerSeen > this.#o.timeoutMs || this.#lastOwnerSeen === 0) {
        this.#claim();
      } else {
        this.setRole('follower');
      }
    }, ms);
  }

  #claim(ts = this.#o.now()): void {
    this.#claimTs = ts;
    this.setRole('owner');
    this.#sendBeat();
    if (this.#beat) clearInterval(this.#beat);
    this.#beat = setInterval(() => this.#sendBeat(), this.#o.beatMs);
  }

  #sendBeat(): void {
    this.post({ t: 'beat', ts: this.#claimTs });
  }

  #yield(): void {
    if (this.#beat) clearInterval(this.#beat);
    this.#beat = null;
    this.setRole(this.#joined ? 'follower' : 'none');
  }

  protected override onMessage(msg: ElectionMessage): void {
    super.onMessage(msg);
    if (!this.#joined) return;
    if (msg.t === 'beat' || msg.t === 'state') {
      const ts = msg.t === 'beat' ? msg.ts : null;
      if (this.role() === 'owner') {
        if (ts == null) return;
        // Two owners: the older claim wins; equal claims go to the smaller tab id.
        const theyWin = ts < this.#claimTs || (ts === this.#claimTs && msg.from < this.tabId);
        if (theyWin) {
          this.#lastOwnerSeen = this.#o.now();
          this.noteOwner(msg.from);
          this.#yield();
        } else {
          this.#sendBeat();
        }
        return;
      }
      this.#lastOwnerSeen = this.#o.now();
      if (ts != null) this.#ownerTs = ts;
      this.noteOwner(msg.from);
      if (this.role() === 'none' && !this.#pending) this.setRole('follower');
    } else if (msg.t === 'gone' && this.role() !== 'owner') {
      // The owner left: claim after a little random delay so that one follower usually wins.
      this.#lastOwnerSeen = 0;
      this.#later(Math.floor(this.#o.random() * 150));
    }
  }

  protected takeOver(): void {
    if (!this.#joined) return;
    if (this.#pending) clearTimeout(this.#pending);
    this.#pending = null;
    // Claim as older than the granting owner so that its last in-flight beat cannot win.
    this.#claim(Math.min(this.#o.now(), this.#ownerTs - 1));
  }

  protected gaveAway(): void {
    this.#lastOwnerSeen = this.#o.now();
    this.#yield();
  }

  #stopTimers(): void {
    for (const t of [this.#beat, this.#watch]) if (t) clearInterval(t);
    if (this.#pending) clearTimeout(this.#pending);
    this.#beat = this.#watch = this.#pending = null;
  }
}
