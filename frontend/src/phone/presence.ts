// Presence heartbeat: the server rings only agents it heard from recently. While this tab owns a
// registered device and the agent is not away, POST "available" every interval; "away" is sent
// once when chosen; leaving the page sends a beacon.

export interface PresenceApi {
  presence(state: 'available' | 'away'): Promise<void>;
  presenceLeave(): void;
}

export interface PresenceInput {
  /** This tab owns a registered device. */
  active: boolean;
  away: boolean;
}

export class PresenceHeartbeat {
  readonly #api: PresenceApi;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | null = null;
  #last: 'available' | 'away' | 'none' = 'none';

  constructor(api: PresenceApi, intervalMs = 10_000) {
    this.#api = api;
    this.#intervalMs = intervalMs;
  }

  /** Applies the current situation; cheap to call on every state change. */
  update({ active, away }: PresenceInput): void {
    if (!active) {
      this.#stopTimer();
      this.#last = 'none';
      return;
    }
    if (away) {
      this.#stopTimer();
      if (this.#last !== 'away') {
        this.#last = 'away';
        this.#send('away');
      }
      return;
    }
    if (this.#last !== 'available' || !this.#timer) {
      this.#last = 'available';
      this.#send('available');
      this.#stopTimer();
      this.#timer = setInterval(() => this.#send('available'), this.#intervalMs);
    }
  }

  /** The page is going away (or the phone was closed): tell the server now. */
  leave(): void {
    const wasActive = this.#last !== 'none';
    this.#stopTimer();
    this.#last = 'none';
    if (wasActive) this.#api.presenceLeave();
  }

  #send(state: 'available' | 'away'): void {
    // A lost heartbeat is repaired by the next one.
    this.#api.presence(state).catch(() => undefined);
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
