import { useSyncExternalStore } from 'react';

/** Where the app is: the hash path split into parts (`#/maps/abc` → ['maps', 'abc']). */
export interface Route {
  readonly parts: readonly string[];
  readonly query: URLSearchParams;
}

function read(): Route {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

let current = read();
const listeners = new Set<() => void>();
/** The address the app shows, to put back when leaving is refused. */
let shown = window.location.hash;
/** Set by `navigate`, which asked the guard already. */
let approved = false;
window.addEventListener('hashchange', () => {
  // Back, Forward or an address typed in: the same question as an in-app link. Refused, the
  // address goes back to the page still shown (without another hashchange).
  if (!approved && guard && !guard()) {
    history.pushState(null, '', shown || '#/');
    return;
  }
  approved = false;
  shown = window.location.hash;
  current = read();
  for (const l of listeners) l();
});

/** The current route; re-renders when it changes. Hash routing: the server serves one page. */
export function useRoute(): Route {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, () => current);
}

/** Goes to a path like `/maps/abc` (guards may refuse through `beforeNavigate`). */
export function navigate(path: string): void {
  if (guard && !guard()) return;
  if (window.location.hash === `#${path}`) return;
  approved = true;
  window.location.hash = path;
}

let guard: (() => boolean) | null = null;
/** Installs a check that may refuse leaving the page (unsaved changes). Returns its remover. */
export function beforeNavigate(check: () => boolean): () => void {
  guard = check;
  return () => {
    if (guard === check) guard = null;
  };
}

/** A link inside the app. */
export const href = (path: string) => `#${path}`;
