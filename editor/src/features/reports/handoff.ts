/**
 * How "Try on real history" hands a draft (a model or a map, saved or not) to the backtest view:
 * kept in localStorage under a fresh key the view's address names, so the view opens in its own
 * tab while the draft stays open in the editor, and a reload of the view still finds it.
 */

/** A draft on its way to the backtest view. */
export interface HandedDraft {
  readonly kind: 'model' | 'map';
  /** The saved model's or map's id. */
  readonly id: string;
  readonly name: string;
  /** The document as the editor holds it. */
  readonly doc: unknown;
  readonly at: number;
}

const PREFIX = 'scoremap.backtest.';
/** Drafts older than this are dropped when a new one is handed over: nobody comes back to them. */
const KEEP_MS = 7 * 86_400_000;

/** Stores the draft and answers the key to find it by. */
export function handOver(draft: Omit<HandedDraft, 'at'>): string {
  const now = Date.now();
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const k = localStorage.key(i);
    if (!k?.startsWith(PREFIX)) continue;
    const old = readStored(k);
    if (!old || now - old.at > KEEP_MS) localStorage.removeItem(k);
  }
  const key = `${now.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify({ ...draft, at: now }));
  } catch {
    // A full storage: the view falls back to the saved version, and says so.
  }
  return key;
}

/** The draft handed over under `key`, or null when it is not (or no longer) there. */
export function takeDraft(key: string): HandedDraft | null {
  return readStored(PREFIX + key);
}

function readStored(k: string): HandedDraft | null {
  try {
    const v = JSON.parse(localStorage.getItem(k) ?? 'null') as HandedDraft | null;
    return v && typeof v === 'object' && (v.kind === 'model' || v.kind === 'map') && typeof v.id === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** The backtest view's address for a draft. */
export function backtestPath(draft: Omit<HandedDraft, 'at'>): string {
  return `/reports/backtest?${draft.kind}=${encodeURIComponent(draft.id)}&draft=${handOver(draft)}`;
}

/** Opens the backtest view of a draft in a new tab, leaving the editor (and its unsaved changes) where it is. */
export function openBacktest(draft: Omit<HandedDraft, 'at'>): void {
  window.open(`#${backtestPath(draft)}`, '_blank');
}
