/**
 * Figures 3 and 5 on one database: N contacts with a score under the recommended scoring model.
 * 3: the model's daily degradation (the clock crosses midnight) in rows per second, against a raw
 * `UPDATE … SET score = round(score * 0.97, 3)` on the same file. 5: the first page of the contacts
 * list sorted by score, through the HTTP app (`GET /api/contacts?sort=score&limit=50`, in process).
 */
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { applyPragmas } from '../server/store/sqlite.js';
import { sql } from 'kysely';
import { ManualClock } from '../engine/clock.js';
import { createApp } from '../server/http/app.js';
import { Runtime } from '../server/runtime/runtime.js';
import { saveModel } from '../server/runtime/scoring.js';
import { Store } from '../server/store/store.js';
import { DAY, scratch, T0, time } from './common.js';

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
}

/** Gives contacts 0..n-1 scores spread over 0–100 (setup, set-based). */
async function scoredContacts(store: Store, n: number): Promise<void> {
  await sql`with recursive seq(i) as (select 0 union all select i + 1 from seq where i + 1 < ${n})
    insert into contacts (id, email_norm, created_at, updated_at, f_email, f_created_at, f_score)
    select 'c' || printf('%07d', i), 'c' || printf('%07d', i) || '@bench.test', ${T0}, ${T0},
           'c' || printf('%07d', i) || '@bench.test', ${T0}, (i * 7919 % 10000) / 100.0 from seq`.execute(store.db);
}

export async function degradation(n: number): Promise<DegradationResult> {
  const tmp = scratch();
  try {
    const path = tmp.file('scores.db');
    const store = await Store.open(path);
    const clock = new ManualClock(T0);
    const rt = await Runtime.create({ store, clock });
    await saveModel(rt, JSON.parse(readFileSync(new URL('../maps/recommended-scoring.json', import.meta.url), 'utf8')), { create: true });
    await scoredContacts(store, n);
    const run = await time(() => rt.advance(T0 + DAY, clock));
    const changed = await store.db.selectFrom('history').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    if (Number(changed.n) < n * 0.9) throw new Error(`degradation: only ${changed.n} of ${n} scores changed`);

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
    return { n, engine: n / (run.ms / 1000), baseline: n / (raw / 1000), ratio: raw / run.ms, sortFirstMs: first.ms, sortMedianMs: more[2] };
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
