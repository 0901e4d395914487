// What the components get injected: app-wide services, and after login the workspace (agent,
// settings, live stream, phone). No module-level singletons: tests build their own.
import { createContext } from 'preact';
import { useContext, useLayoutEffect, useReducer } from 'preact/hooks';
import type { ApiClient } from '../api/client';
import type { EventStream } from '../api/events';
import type { Agent, Settings } from '../api/types';
import type { I18n, Translate } from '../i18n/i18n';
import type { PhoneController } from '../phone/controller';
import type { ReadonlyStore, Store } from '../util/store';
import type { Route } from './router';
import type { SessionStore } from './session';

export interface AppServices {
  api: ApiClient;
  i18n: I18n;
  session: SessionStore;
  route: ReadonlyStore<Route>;
  storage: Storage | null;
}

/** UI state of the floating phone shared by the pages (click-to-call opens it). */
export interface PhoneUi {
  open: boolean;
  /** Number put in the dial field by click-to-call. */
  prefill: string | null;
}

export interface Workspace {
  agent: Agent;
  settings: Settings;
  stream: EventStream;
  phone: PhoneController;
  phoneUi: Store<PhoneUi>;
  /** Opens the phone and starts it (first open creates the device). */
  openPhone(prefill?: string): void;
  /** Click-to-call: dial now if the phone is ready, else open it with the number filled in. */
  callNumber(number: string): void;
  logout(): void;
}

export const AppCtx = createContext<AppServices | null>(null);
export const WorkspaceCtx = createContext<Workspace | null>(null);

export function useApp(): AppServices {
  const ctx = useContext(AppCtx);
  if (!ctx) throw new Error('AppCtx missing');
  return ctx;
}

export function useWorkspace(): Workspace {
  const ctx = useContext(WorkspaceCtx);
  if (!ctx) throw new Error('WorkspaceCtx missing');
  return ctx;
}

/** Re-renders when the store changes; returns its current value. */
export function useStore<T>(store: ReadonlyStore<T>): T {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useLayoutEffect(() => store.subscribe(() => bump(undefined)), [store]);
  return store.get();
}

/** The translate function; re-renders on language change. */
export function useT(): Translate {
  const { i18n } = useApp();
  useStore(i18n.lang);
  return i18n.t;
}
