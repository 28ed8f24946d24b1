import { useCallback, useSyncExternalStore } from 'react';
import { parseRoute, routeHref, type Route } from './route.js';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const readHash = () => window.location.hash;

/** The current route (null when the hash names no page) and a way to go elsewhere. */
export function useRoute(): { route: Route | null; navigate: (route: Route) => void } {
  const hash = useSyncExternalStore(subscribe, readHash);
  const navigate = useCallback((route: Route) => {
    window.location.hash = routeHref(route);
  }, []);
  return { route: parseRoute(hash), navigate };
}
