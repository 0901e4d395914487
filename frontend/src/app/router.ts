// Hash routes (#/calls, #/agents, #/settings): the server serves one index.html and needs no
// fallback rules for client-side paths.
import { Store } from '../util/store';

export type Route = 'calls' | 'agents' | 'settings';
const ROUTES: readonly Route[] = ['calls', 'agents', 'settings'];

export function parseRoute(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'calls';
}

export function routeHref(route: Route): string {
  return `#/${route}`;
}

/** The current route, following hashchange. */
export function createRouter(win: Window): Store<Route> {
  const store = new Store<Route>(parseRoute(win.location.hash));
  win.addEventListener('hashchange', () => store.set(parseRoute(win.location.hash)));
  return store;
}
