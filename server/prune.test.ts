import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIN_AGE_MS, parseAge, prune } from './prune.js';
import { Store } from './store/store.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const noPause = async () => {};

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** A database with `n` history entries and `n` events a day for `days` days before NOW (the oldest first). */
async function filled(path: string, days: number, n: number): Promise<Store> {
  const s = await Store.open(path);
  for (let d = days; d >= 1; d--) {
    const at = NOW - d * DAY;
    await s.insertHistory(Array.from({ length: n }, (_, i) => ({ contactId: `c${i}`, at, field: 'score', from: i, to: i + 1, cause: { api: true } })));
    await s.insertEvents(Array.from({ length: n }, (_, i) => ({ id: `d${d}-e${i}`, contactId: `c${i}`, type: 'email_opened', at, props: { note: 'x'.repeat(200) }, acceptedAt: at })));
  }
  return s;
}

const count = async (s: Store, table: 'history' | 'events') =>
  Number((await s.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('parseAge', () => {
  it('reads hours, days and weeks', () => {
    expect(parseAge('365d')).toEqual({ ms: 365 * DAY, words: '365 days' });
    expect(parseAge('36h')).toEqual({ ms: 36 * 3_600_000, words: '36 hours' });
    expect(parseAge(' 1W ')).toEqual({ ms: 7 * DAY, words: '1 week' });
    expect(parseAge('1d')).toEqual({ ms: MIN_AGE_MS, words: '1 day' });
  });

  it('refuses anything else with a message that says what it takes', () => {
    for (const bad of ['', '365', 'd', '1.5d', '-3d', 'a year', '365 days', '10y']) {
      expect(parseAge(bad), bad).toEqual({ error: expect.stringMatching(/takes an age like 365d, 36h or 52w/) });
    }
    expect(parseAge('30m')).toEqual({ error: expect.stringMatching(/"m" could be minutes or months/) });
  });

  it('refuses less than a day: event ids must outlive any client retry', () => {
    expect(parseAge('23h')).toEqual({ error: expect.stringMatching(/too short: keep at least a day .*counted again/) });
    expect(parseAge('0d')).toHaveProperty('error');
  });
});

describe('prune', () => {
  it('deletes history and events older than the cut-off, page by page, and keeps the rest', async () => {
    store = await filled(':memory:', 10, 700);
    const pauses: number[] = [];
    const r = await prune(store, { before: NOW - 4 * DAY - 1, pageSize: 1_000, pause: async (took) => void pauses.push(took) });
    // Days 10 … 5 before NOW are older than 4 days (and a millisecond); days 4 … 1 stay.
    expect(r).toEqual({ before: new Date(NOW - 4 * DAY - 1).toISOString(), dryRun: false, history: 6 * 700, events: 6 * 700, deliveries: 0 });
    expect(await count(store, 'history')).toBe(4 * 700);
    expect(await count(store, 'events')).toBe(4 * 700);
    const left = await store.historyAfter(0, 10_000);
    expect(Math.min(...left.map((h) => h.at))).toBe(NOW - 4 * DAY);
    expect(await store.existingEventIds(['d4-e0', 'd5-e0'])).toEqual(new Set(['d4-e0']));
    // One write per page of 1,000 rows that held old ones, with a pause after each: 4,200 old rows
    // of each table take at least 5 writes each, and there are 7 pages per table.
    expect(pauses.length).toBeGreaterThanOrEqual(2 * Math.ceil((6 * 700) / 1_000));
    expect(pauses.length).toBeLessThanOrEqual(2 * 7);
  });

  it('with --dry-run counts the same rows and deletes none', async () => {
    store = await filled(':memory:', 3, 50);
    const r = await prune(store, { before: NOW - 2 * DAY, dryRun: true, vacuum: true, pause: noPause });
    expect(r).toEqual({ before: new Date(NOW - 2 * DAY).toISOString(), dryRun: true, history: 50, events: 50, deliveries: 0 });
    expect(await count(store, 'history')).toBe(150);
    expect(await count(store, 'events')).toBe(150);
  });

  it('takes webhook deliveries made before the cut-off once delivered or failed, with their attempts; pending ones stay however old', async () => {
    store = await filled(':memory:', 1, 1);
    const row = (id: string, status: string, at: number) => ({
      id, webhook_id: 'w1', url: 'http://127.0.0.1/', format: 'json', stream: JSON.stringify(['w1', id]), contact_id: null, type: 'contact.created',
      payload_json: '{}', status, attempts: 1, next_at: status === 'pending' ? at : null, claim: null, claimed_until: null, retry_from: at,
      created_at: at, last_at: at, last_status: 200, last_answer: null, last_error: null,
    });
    await store.db.insertInto('webhook_deliveries').values([
      row('old-ok', 'delivered', NOW - 9 * DAY), row('old-failed', 'failed', NOW - 9 * DAY), row('old-pending', 'pending', NOW - 9 * DAY), row('new-ok', 'delivered', NOW),
    ]).execute();
    await store.db.insertInto('webhook_attempts').values(['old-ok', 'old-failed', 'old-pending', 'new-ok'].map((d) => ({ delivery_id: d, n: 1, at: NOW, status_code: 200, answer: null, error: null, ms: 1 }))).execute();
    expect((await prune(store, { before: NOW - DAY, dryRun: true, pause: noPause })).deliveries).toBe(2);
    expect((await prune(store, { before: NOW - DAY, pause: noPause })).deliveries).toBe(2);
    const left = (await store.db.selectFrom('webhook_deliveries').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(left).toEqual(['new-ok', 'old-pending']);
    const attempts = (await store.db.selectFrom('webhook_attempts').select('delivery_id').orderBy('delivery_id').execute()).map((r) => r.delivery_id);
    expect(attempts).toEqual(['new-ok', 'old-pending']);
  });

  it('nothing old: nothing deleted', async () => {
    store = await filled(':memory:', 2, 10);
    expect(await prune(store, { before: NOW - 30 * DAY, pause: noPause })).toMatchObject({ history: 0, events: 0 });
  });

  it('a new database gives freed pages back in steps from its first --vacuum', async () => {
    const path = `${mkdtempSync(`${tmpdir()}/scoremap-prune-`)}/db.sqlite`;
    store = await filled(path, 20, 500);
    expect((await store.space()).autoVacuum).toBe('incremental');
    const first = await prune(store, { before: NOW - 10 * DAY - 1, vacuum: true, pause: noPause });
    expect(first.vacuum!.mode).toBe('incremental');
    expect(first.vacuum!.bytesAfter).toBeLessThan(first.vacuum!.bytesBefore * 0.7);
    expect((await store.space()).freePages).toBe(0);
  });

  it('--vacuum on a database made before incremental vacuum: the first converts it with one VACUUM, later ones give pages back in steps', async () => {
    const path = `${mkdtempSync(`${tmpdir()}/scoremap-prune-`)}/db.sqlite`;
    const legacy = new Database(path); // a table before Scoremap's: auto-vacuum can no longer be set without a VACUUM
    legacy.exec('create table legacy (x)');
    legacy.close();
    store = await filled(path, 20, 500);
    expect((await store.space()).autoVacuum).toBe('none');
    const first = await prune(store, { before: NOW - 10 * DAY - 1, vacuum: true, pause: noPause });
    expect(first.vacuum!.mode).toBe('full');
    expect(first.vacuum!.bytesAfter).toBeLessThan(first.vacuum!.bytesBefore * 0.7);
    const space = await store.space();
    expect(space).toMatchObject({ autoVacuum: 'incremental', freePages: 0 });
    expect(statSync(path).size).toBe(space.pages * space.pageSize);

    const second = await prune(store, { before: NOW - 5 * DAY - 1, vacuum: true, pause: noPause });
    expect(second).toMatchObject({ history: 2_500, events: 2_500, vacuum: { mode: 'incremental' } });
    expect(second.vacuum!.bytesAfter).toBeLessThan(second.vacuum!.bytesBefore);
    expect((await store.space()).freePages).toBe(0);
    expect(await count(store, 'history')).toBe(5 * 500);
  });
});
