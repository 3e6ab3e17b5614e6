import type { PrunableTable, Store } from './store/store.js';
import { pruneDeliveries } from './webhooks/store.js';

const HOUR = 3_600_000;
const UNITS: Record<string, { ms: number; word: string }> = {
  h: { ms: HOUR, word: 'hour' },
  d: { ms: 24 * HOUR, word: 'day' },
  w: { ms: 7 * 24 * HOUR, word: 'week' },
};

/**
 * The shortest age `prune` accepts. Event ids are the idempotency keys (SPEC §1): an event pruned
 * and sent again counts again, so what is kept must cover any client's retries.
 */
export const MIN_AGE_MS = 24 * HOUR;

/** An age as `prune --older-than` takes it: a whole number of hours, days or weeks (`36h`, `365d`, `52w`). */
export function parseAge(text: string): { ms: number; words: string } | { error: string } {
  const m = /^\s*(\d{1,6})\s*([a-z]+)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || !unit) {
    const hint = m && /^m/i.test(m[2]) ? ' ("m" could be minutes or months: say it in days or hours)' : '';
    return { error: `--older-than takes an age like 365d, 36h or 52w (days, hours, weeks), not "${text}"${hint}` };
  }
  const n = Number(m[1]);
  const ms = n * unit.ms;
  if (ms < MIN_AGE_MS) {
    return { error: `--older-than ${text.trim()} is too short: keep at least a day (1d), because an event's id is remembered only as long as the event is kept, and a client resending it after that would have it counted again` };
  }
  return { ms, words: `${n} ${unit.word}${n === 1 ? '' : 's'}` };
}

/** What `prune` does. */
export interface PruneOptions {
  /** History recorded, and events accepted, before this instant go. */
  readonly before: number;
  /** Count what would go; delete nothing. */
  readonly dryRun?: boolean;
  /** Then give the freed pages back to the file system. */
  readonly vacuum?: boolean;
  /** Rows read per page, and so at most deleted per transaction (default 5,000). */
  readonly pageSize?: number;
  /**
   * Waits between two writes, given how long the last one held the lock. The default waits as long
   * again and at least 100 ms: longer than the longest back-off of SQLite's busy handler, so a
   * server waiting for the lock gets it before the next write (it waits milliseconds, never starves).
   */
  readonly pause?: (tookMs: number) => Promise<void>;
}

/** What `prune` did. */
export interface PruneResult {
  readonly before: string;
  readonly dryRun: boolean;
  /** History entries (field changes) deleted, or that would be. */
  readonly history: number;
  /** Stored events deleted, or that would be. */
  readonly events: number;
  /** Webhook deliveries (delivered or failed, with their attempts) deleted, or that would be. */
  readonly deliveries: number;
  /** With `vacuum`: how, and the database's size before and after, in bytes. */
  readonly vacuum?: { readonly mode: 'incremental' | 'full'; readonly bytesBefore: number; readonly bytesAfter: number };
}

const defaultPause = (took: number) => new Promise<void>((ok) => setTimeout(ok, Math.max(100, took)));

/** Free pages given back per incremental-vacuum step (4 MiB of 4 KiB pages). */
const VACUUM_STEP_PAGES = 1_024;

/**
 * Deletes the field history and the events older than `before`, a page per transaction with a
 * pause between, so a server running on the same file keeps taking events meanwhile (SQLite's WAL
 * lets this second process read while the server writes; each delete holds the write lock for a
 * few milliseconds). Contacts, fields, maps, waits and scores are never touched.
 */
export async function prune(store: Store, opts: PruneOptions): Promise<PruneResult> {
  const pageSize = opts.pageSize ?? 5_000;
  const pause = opts.pause ?? defaultPause;
  const counts: Record<PrunableTable, number> = { history: 0, events: 0 };
  for (const table of ['history', 'events'] as const) {
    for (let after: number | string | null = null; ; ) {
      const page = await store.sweepPage(table, after, pageSize, opts.before);
      if (page.last === null) break;
      after = page.last;
      if (!page.old.length) continue;
      if (opts.dryRun) {
        counts[table] += page.old.length;
        continue;
      }
      const began = Date.now();
      counts[table] += await store.deleteRows(table, page.old);
      await pause(Date.now() - began);
    }
  }
  // Webhook deliveries made before then, once delivered or given up on, go with the history.
  let deliveries = 0;
  if (opts.dryRun) deliveries = await pruneDeliveries(store.db, opts.before, pageSize, true);
  else {
    for (;;) {
      const began = Date.now();
      const n = await store.transaction((s) => pruneDeliveries(s.db, opts.before, pageSize));
      if (!n) break;
      deliveries += n;
      await pause(Date.now() - began);
    }
  }
  const result = { before: new Date(opts.before).toISOString(), dryRun: opts.dryRun === true, ...counts, deliveries };
  if (!opts.vacuum || opts.dryRun) return result;
  return { ...result, vacuum: await vacuum(store, pause) };
}

/**
 * Gives free pages back to the file system. A database in incremental auto-vacuum mode does it in
 * small steps, each a short write. One that is not (made before this existed) is converted by one
 * full VACUUM, which rewrites the file and holds the write lock while it runs; every later vacuum
 * is incremental.
 */
async function vacuum(store: Store, pause: (took: number) => Promise<void>): Promise<NonNullable<PruneResult['vacuum']>> {
  const start = await store.space();
  let mode: 'incremental' | 'full' = 'incremental';
  if (start.autoVacuum === 'incremental') {
    for (let free = start.freePages; free > 0; ) {
      const began = Date.now();
      await store.vacuum({ pages: VACUUM_STEP_PAGES });
      await pause(Date.now() - began);
      const left = (await store.space()).freePages;
      if (left >= free) break; // nothing more to give back (another writer is reusing them)
      free = left;
    }
  } else {
    mode = 'full';
    await store.vacuum('full');
  }
  await store.checkpoint();
  const end = await store.space();
  return { mode, bytesBefore: start.pages * start.pageSize, bytesAfter: end.pages * end.pageSize };
}
