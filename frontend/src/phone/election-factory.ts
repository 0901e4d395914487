// Picks the tab-election strategy the browser supports.
import { BroadcastElection } from './broadcast-election';
import {
  LockElection,
  SoloElection,
  newTabId,
  type ChannelLike,
  type LockManagerLike,
  type TabElection,
} from './tab-election';

export interface ElectionEnv {
  locks?: LockManagerLike | null;
  createChannel?: ((name: string) => ChannelLike) | null;
  tabId?: string;
}

/** The browser's own facilities (Web Locks needs a secure context: https or localhost). */
export function browserElectionEnv(): ElectionEnv {
  const nav = typeof navigator !== 'undefined' ? navigator : undefined;
  return {
    locks: (nav?.locks as LockManagerLike | undefined) ?? null,
    createChannel:
      typeof BroadcastChannel === 'function'
        ? (name) => new BroadcastChannel(name) as unknown as ChannelLike
        : null,
  };
}

/** An election among the tabs of one agent. */
export function createElection(agentId: number, env: ElectionEnv): TabElection {
  const name = `ramal-phone-${agentId}`;
  const tabId = env.tabId ?? newTabId();
  const channel = env.createChannel ? env.createChannel(name) : null;
  if (env.locks) return new LockElection(name, env.locks, channel, tabId);
  if (channel) return new BroadcastElection(channel, tabId);
  return new SoloElection(tabId);
}
