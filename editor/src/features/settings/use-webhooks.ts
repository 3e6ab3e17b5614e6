import { useEffect, useSyncExternalStore } from 'react';
import { listWebhooks, type Webhook } from './api.js';

/** The subscriptions of Settings → Webhooks as the map editor shows them, or why they could not be read. */
export interface WebhookList {
  readonly data: readonly Webhook[] | undefined;
  readonly error: string | null;
  readonly loading: boolean;
}

let state: WebhookList = { data: undefined, error: null, loading: false };
const listeners = new Set<() => void>();
let seq = 0;
/** Whether the list must be read again when someone next looks at it. */
let stale = true;

function set(next: WebhookList): void {
  state = next;
  for (const l of listeners) l();
}

/** Reads the list again; an answer that arrives after a newer request started is dropped. */
export function reloadWebhooks(): void {
  const mine = ++seq;
  stale = false;
  set({ ...state, loading: true });
  listWebhooks().then(
    (data) => mine === seq && set({ data, error: null, loading: false }),
    // The last list read stays: a failed refresh must not turn every name on the canvas into "deleted".
    (e: unknown) => mine === seq && set({ data: state.data, error: e instanceof Error ? e.message : String(e), loading: false }),
  );
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  // Read once when the first node or panel needs it (one request for every node of a map); when the
  // last one goes (the editor closed), the list may change in Settings, so it is read again next time.
  if (stale) queueMicrotask(() => stale && listeners.size > 0 && reloadWebhooks());
  return () => {
    listeners.delete(l);
    if (!listeners.size) stale = true;
  };
}

/**
 * The webhooks (`GET /api/webhooks`), shared by the canvas's webhook nodes and the inspector's picker.
 * `fresh` reads them again when the caller mounts (the inspector opening an element), unless a read
 * is already under way; the list read before is shown meanwhile.
 */
export function useWebhooks(opts: { fresh?: boolean } = {}): WebhookList & { reload(): void } {
  const list = useSyncExternalStore(subscribe, () => state);
  useEffect(() => {
    if (opts.fresh && !state.loading) reloadWebhooks();
  }, [opts.fresh]);
  return { ...list, reload: reloadWebhooks };
}
