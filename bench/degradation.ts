/**
 * Figures 3 and 5 on one database: N contacts with a score under the recommended scoring model.
 * 3: the model's daily degradation (the clock crosses midnight) in rows per second, against a raw
 * `UPDATE … SET score = round(score * 0.97, 3)` on the same file. 5: the first page of the contacts
 * list sorted by score, through the HTTP app (`GET /api/contacts?sort=score&limit=50`, in process).
 *
 * Then what the points ledger (SPEC §9) adds to the daily run, each variant on N contacts scored
 * the same way and timed across one midnight, beside a plain model measured in the same run (the
 * goal: each within 2× plain's time): plain (3 % a day, no brackets, no fixed points: the two
 * statements of before the ledger), brackets (the same with High/Medium/Low kept in their field),
 * fixed (a fifth of the contacts hold fixed points in an account), inactivity (5 % a day once a
 * day of inactivity has passed, every contact's last activity 30 days back, so each is due).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import Database from 'better-sqlite3';
import { applyPragmas } from '../server/store/sqlite.js';
import { sql } from 'kysely';
import { ManualClock } from '../engine/clock.js';
import type { ScoringModel } from '../engine/scoring/model.js';
import { bracketField } from '../engine/scoring/run.js';
import { createApp } from '../server/http/app.js';
import { Runtime } from '../server/runtime/runtime.js';
import { saveModel } from '../server/runtime/scoring.js';
import { fillBrackets } from '../server/scoring/ledger-store.js';
import { Store } from '../server/store/store.js';
import { DAY, scratch, T0, time } from './common.js';

/** What the ledger may add to a day's run, one thing at a time. */
export const VARIANTS = ['plain', 'brackets', 'fixed', 'inactivity'] as const;
export type Variant = (typeof VARIANTS)[number];

/** One variant's day, the fastest of its rounds. */
export interface VariantResult {
  readonly variant: Variant;
  /** Rows per second through the model's daily run (N over its time). */
  readonly perSecond: number;
  readonly ms: number;
  /** Plain's time over this variant's (1 for plain; the goal is ≥ 0.5). */
  readonly ratio: number;
  /** The bench process's CPU time (user and system) in the run, which other work on the machine moves less than the clock. */
  readonly cpuMs: number;
  /** Plain's CPU time over this variant's. */
  readonly cpuRatio: number;
  /** Scores the run changed (history rows of the score field). */
  readonly changed: number;
}

export interface DegradationResult {
  readonly n: number;
  /** Rows per second through the model's daily run. */
  readonly engine: number;
  /** Rows per second of the raw UPDATE. */
  readonly baseline: number;
  readonly ratio: number;
  /** First page sorted by score: the first request, and the median of five more (ms). */
  readonly sortFirstMs: number;
  readonly sortMedianMs: number;
  /** The ledger's variants of the daily run, plain first. */
  readonly variants: readonly VariantResult[];
  /** Rounds of the variants (the order reversed each round; the fastest of each kept). */
  readonly rounds: number;
  /** The machine's 1-minute load average as the variants started and as they ended. */
  readonly load: readonly [number, number];
}

const RECOMMENDED = new URL('../maps/recommended-scoring.json', import.meta.url);

/** The recommended model: its rules, fields and brackets (3 % a day). */
const recommended = (): ScoringModel => JSON.parse(readFileSync(RECOMMENDED, 'utf8')) as ScoringModel;

/** Gives contacts 0..n-1 scores spread over 0–100 (setup, set-based), with `lastActivityAt` when given. */
async function scoredContacts(store: Store, n: number, lastActivityAt: number | null = null): Promise<void> {
  await sql`with recursive seq(i) as (select 0 union all select i + 1 from seq where i + 1 < ${n})
    insert into contacts (id, email_norm, created_at, updated_at, f_email, f_created_at, f_score, f_last_activity_at)
    select 'c' || printf('%07d', i), 'c' || printf('%07d', i) || '@bench.test', ${T0}, ${T0},
           'c' || printf('%07d', i) || '@bench.test', ${T0}, (i * 7919 % 10000) / 100.0, ${lastActivityAt} from seq`.execute(store.db);
}

/**
 * Puts each contact's bracket in its field, as saving the model does for contacts it finds (the
 * bench adds its contacts after the model): the day's run then writes only the brackets that change.
 */
async function bracketsInStep(store: Store, model: ScoringModel): Promise<void> {
  if (model.brackets?.length) await fillBrackets(store.db, model.field, bracketField(model.field), model.brackets);
}

/** Every fifth contact holds min(10, score) fixed points in its account (setup, set-based). */
async function fixedAccounts(store: Store, modelId: string): Promise<void> {
  await sql`insert into score_accounts (model_id, contact_id, fixed, clock, stretch, steps)
    select ${modelId}, id, min(10, f_score), 0, null, 0 from contacts where f_score is not null and cast(substr(id, 2) as integer) % 5 = 0`.execute(store.db);
}

/** Scores changed by the run: history rows of the score field. */
async function scoresChanged(store: Store, field: string): Promise<number> {
  const r = await store.db.selectFrom('history').select((eb) => eb.fn.countAll().as('n')).where('field', '=', field).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Throws unless about every score changed: a run that did nothing would look fast. */
function checkChanged(what: string, changed: number, n: number): void {
  if (changed < n * 0.9) throw new Error(`degradation (${what}): only ${changed} of ${n} scores changed`);
}

export async function degradation(n: number, rounds = 2): Promise<DegradationResult> {
  const tmp = scratch();
  let figure: Omit<DegradationResult, 'variants' | 'rounds' | 'load'>;
  try {
    const path = tmp.file('scores.db');
    const store = await Store.open(path);
    const clock = new ManualClock(T0);
    const rt = await Runtime.create({ store, clock });
    const model = recommended();
    await saveModel(rt, model, { create: true });
    await scoredContacts(store, n);
    await bracketsInStep(store, model);
    const run = await time(() => rt.advance(T0 + DAY, clock));
    checkChanged('recommended', await scoresChanged(store, model.field), n);

    const { app } = createApp({ rt, token: 'bench', templatesDir: tmp.dir });
    const page = async () => {
      const res = await app.request('/api/contacts?sort=score&limit=50', { headers: { authorization: 'Bearer bench' } });
      const body = (await res.json()) as { contacts: unknown[] };
      if (res.status !== 200 || body.contacts.length !== Math.min(50, n)) throw new Error(`GET /api/contacts: ${res.status}`);
    };
    const first = await time(page);
    const more: number[] = [];
    for (let i = 0; i < 5; i++) more.push((await time(page)).ms);
    more.sort((a, b) => a - b);
    await store.close();

    const raw = rawDecay(path);
    figure = { n, engine: n / (run.ms / 1000), baseline: n / (raw / 1000), ratio: raw / run.ms, sortFirstMs: first.ms, sortMedianMs: more[2] };
  } finally {
    tmp.remove();
  }
  const loadBefore = loadavg()[0];
  const best = new Map<Variant, { ms: number; cpuMs: number; changed: number }>();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
    for (const v of order) {
      const r = await variantDay(n, v);
      const had = best.get(v);
      // The fastest of the rounds, by the clock and by CPU time each.
      best.set(v, had ? { ms: Math.min(had.ms, r.ms), cpuMs: Math.min(had.cpuMs, r.cpuMs), changed: r.changed } : r);
    }
  }
  const load: [number, number] = [loadBefore, loadavg()[0]];
  const plain = best.get('plain')!;
  const variants = VARIANTS.map((variant) => {
    const { ms, cpuMs, changed } = best.get(variant)!;
    return { variant, perSecond: n / (ms / 1000), ms, ratio: plain.ms / ms, cpuMs, cpuRatio: plain.cpuMs / cpuMs, changed };
  });
  return { ...figure, variants, rounds, load };
}

/** The model of a variant: the recommended one's rules and fields, with its degradation and brackets. */
function variantModel(v: Variant): ScoringModel {
  const { brackets, ...base } = recommended();
  const degradation = v === 'inactivity' ? { percent: 5, every: { days: 1 }, whenInactiveFor: { days: 1 } } : { percentPerDay: 3 };
  return { ...base, id: `bench-${v}`, degradation, ...(v === 'brackets' ? { brackets } : {}) } as ScoringModel;
}

/** One variant's day on a fresh database of N scored contacts: the run's time and the scores it changed. */
async function variantDay(n: number, v: Variant): Promise<{ ms: number; cpuMs: number; changed: number }> {
  const tmp = scratch();
  try {
    const store = await Store.open(tmp.file('scores.db'));
    const clock = new ManualClock(T0);
    const rt = await Runtime.create({ store, clock });
    const model = variantModel(v);
    await saveModel(rt, model, { create: true });
    await scoredContacts(store, n, v === 'inactivity' ? T0 - 30 * DAY : null);
    await bracketsInStep(store, model);
    if (v === 'fixed') await fixedAccounts(store, model.id);
    const cpu = process.cpuUsage();
    const run = await time(() => rt.advance(T0 + DAY, clock));
    const used = process.cpuUsage(cpu);
    const changed = await scoresChanged(store, model.field);
    checkChanged(v, changed, n);
    await store.close();
    return { ms: run.ms, cpuMs: (used.user + used.system) / 1000, changed };
  } finally {
    tmp.remove();
  }
}

/** The raw degradation: one UPDATE over every contact (ms). */
function rawDecay(path: string): number {
  const db = new Database(path);
  applyPragmas(db);
  try {
    const t = process.hrtime.bigint();
    db.prepare('update contacts set f_score = round(f_score * 0.97, 3) where f_score is not null').run();
    return Number(process.hrtime.bigint() - t) / 1e6;
  } finally {
    db.close();
  }
}
