/**
 * A backtest's result as it builds up: a private in-memory database with one row per contact
 * (its live and draft score at `to`) and the outcomes reached after `to`, so the distribution, the
 * differences and the conversion by band are set-based SQL there, as the reports are on the real one.
 */
import { sql, type Kysely } from 'kysely';
import type { FieldValue } from '../../engine/elements/types.js';
import { csvValue } from '../csv.js';
import { conversionByBand, type Bands, type ConversionReport } from '../reports/conversion.js';
import type { Outcome } from '../reports/outcomes.js';
import type { DB } from '../store/schema.js';
import { Store } from '../store/store.js';

/** Where each side's score and the email sit in the result's own database. */
const LIVE = 'bt_live';
const DRAFT = 'bt_draft';
const EMAIL = 'bt_email';

/** One bucket of a distribution: `min` ≤ score < `max` (the last holds its `max`). */
export interface Bucket { min: number; max: number; count: number }

/** One contact's two scores. */
export interface ContactScores { contact: string; email: string | null; live: number | null; draft: number | null }

/** What a finished backtest answers (the contract of issue 21). */
export interface BacktestResult {
  from: string;
  to: string;
  contacts: number;
  field: string;
  draft: { distribution: Bucket[]; conversion: ConversionReport };
  live: { distribution: Bucket[]; conversion: ConversionReport };
  /** Contacts whose draft score differs from their live score. */
  changed: number;
  /** The 100 largest differences, largest first. */
  sample: ContactScores[];
}

const num = (v: FieldValue): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The result database of one backtest. */
export class ResultStore {
  private constructor(readonly store: Store) {}

  static async open(now: number, model?: { id: string; doc: unknown }): Promise<ResultStore> {
    const store = await Store.open(':memory:');
    await store.createFields([
      { key: LIVE, label: 'Live score', type: 'number' },
      { key: DRAFT, label: 'Draft score', type: 'number' },
      { key: EMAIL, label: 'Email then', type: 'text' },
    ], now);
    // The model's brackets name the bands (`conversionByBand` reads them from here).
    if (model) await store.saveModel(model.id, model.doc, null, now);
    return new ResultStore(store);
  }

  get db(): Kysely<DB> {
    return this.store.db as Kysely<DB>;
  }

  /** Adds a chunk: each contact's scores, and the outcome events and field changes stored for them after `to`. */
  async add(rows: readonly { id: string; createdAt: number; email: FieldValue; live: FieldValue; draft: FieldValue }[],
    outcomes: { events: Parameters<Store['insertEvents']>[0]; history: Parameters<Store['insertHistory']>[0] }): Promise<void> {
    await this.store.transaction(async (s) => {
      await s.insertContacts(rows.map((r) => ({
        id: r.id, createdAt: r.createdAt, tags: [],
        fields: { [LIVE]: num(r.live), [DRAFT]: num(r.draft), [EMAIL]: typeof r.email === 'string' ? r.email : null },
      })));
      if (outcomes.events.length) await s.insertEvents(outcomes.events);
      if (outcomes.history.length) await s.insertHistory(outcomes.history);
    });
  }

  /** The finished result. */
  async summary(o: { from: number; to: number; field: string; windowMs: number; outcomes: readonly Outcome[]; bands: Bands }): Promise<BacktestResult> {
    const db = this.db;
    const counted = await db.selectFrom('contacts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const buckets = await this.#buckets();
    const report = async (key: string) => ({ ...(await conversionByBand(db, { field: key, at: o.to, windowMs: o.windowMs, outcomes: o.outcomes, bands: o.bands })), field: o.field });
    const changed = await sql<{ n: number }>`select count(*) as n from contacts where not (f_${sql.raw(LIVE)} is f_${sql.raw(DRAFT)})`.execute(db);
    const sample = await sql<{ id: string; email: string | null; live: number | null; draft: number | null }>`
      select id, f_${sql.raw(EMAIL)} as email, f_${sql.raw(LIVE)} as live, f_${sql.raw(DRAFT)} as draft from contacts
      where not (f_${sql.raw(LIVE)} is f_${sql.raw(DRAFT)})
      order by abs(coalesce(f_${sql.raw(DRAFT)}, 0) - coalesce(f_${sql.raw(LIVE)}, 0)) desc, id limit 100`.execute(db);
    return {
      from: new Date(o.from).toISOString(), to: new Date(o.to).toISOString(), contacts: Number(counted.n), field: o.field,
      draft: { distribution: await this.#distribution(DRAFT, buckets), conversion: await report(DRAFT) },
      live: { distribution: await this.#distribution(LIVE, buckets), conversion: await report(LIVE) },
      changed: Number(changed.rows[0].n),
      sample: sample.rows.map((r) => ({ contact: r.id, email: r.email, live: r.live, draft: r.draft })),
    };
  }

  /** Ten or so buckets of a round width over both sides' scores, so the two distributions line up. */
  async #buckets(): Promise<{ lo: number; width: number; n: number } | null> {
    const r = await sql<{ lo: number | null; hi: number | null }>`
      select min(min(coalesce(f_${sql.raw(LIVE)}, f_${sql.raw(DRAFT)}), coalesce(f_${sql.raw(DRAFT)}, f_${sql.raw(LIVE)}))) as lo,
             max(max(coalesce(f_${sql.raw(LIVE)}, f_${sql.raw(DRAFT)}), coalesce(f_${sql.raw(DRAFT)}, f_${sql.raw(LIVE)}))) as hi from contacts`.execute(this.db);
    const { lo, hi } = r.rows[0];
    if (lo === null || hi === null) return null;
    const width = roundStep((hi - lo) / 10);
    const start = Math.floor(lo / width) * width;
    return { lo: start, width, n: Math.floor((hi - start) / width) + 1 };
  }

  async #distribution(key: string, b: { lo: number; width: number; n: number } | null): Promise<Bucket[]> {
    if (!b) return [];
    const col = sql.raw(`f_${key}`);
    const rows = await sql<{ i: number; n: number }>`
      select cast((${col} - ${b.lo}) / ${b.width} as integer) as i, count(*) as n from contacts where ${col} is not null group by 1`.execute(this.db);
    const counts = new Map(rows.rows.map((r) => [Number(r.i), Number(r.n)]));
    return Array.from({ length: b.n }, (_, i) => ({ min: tidy(b.lo + i * b.width), max: tidy(b.lo + (i + 1) * b.width), count: counts.get(i) ?? 0 }));
  }

  /** Every contact's scores as CSV, by id. */
  async csv(field: string): Promise<string> {
    const rows = await sql<{ id: string; email: string | null; live: number | null; draft: number | null }>`
      select id, f_${sql.raw(EMAIL)} as email, f_${sql.raw(LIVE)} as live, f_${sql.raw(DRAFT)} as draft from contacts order by id`.execute(this.db);
    const show = (v: number | null) => (v === null ? '' : String(v));
    const lines = [`contact,email,live_${field},draft_${field},difference`];
    for (const r of rows.rows) {
      const diff = r.live === null && r.draft === null ? '' : String(tidy((r.draft ?? 0) - (r.live ?? 0)));
      lines.push([csvValue(r.id), csvValue(r.email ?? ''), show(r.live), show(r.draft), diff].join(','));
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

/** 1, 2 or 5 times a power of ten, at least `raw` (and at least 1e-6). */
function roundStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return Math.max(m * p, 1e-6);
  return 10 * p;
}

/** Rounds away binary noise (0.1 + 0.2). */
const tidy = (x: number): number => Math.round(x * 1e9) / 1e9;
