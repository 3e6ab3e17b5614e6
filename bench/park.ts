/**
 * Sets up N contacts parked on the point-decay-loop's 1-day wait, set-based (a few statements
 * instead of N trips through the engine): the benchmarks measure the tick, not the setup.
 * `parkThroughEngine` does the same through the real engine, and `snapshot` lets a test (and the
 * bench, at small N) prove both leave the same rows.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { ManualClock } from '../engine/clock.js';
import { createContacts } from '../server/runtime/contacts.js';
import { createMap, publishMap } from '../server/runtime/maps.js';
import { Runtime } from '../server/runtime/runtime.js';
import { Store } from '../server/store/store.js';
import { contactId, T0 } from './common.js';

export const DECAY_MAP = 'point-decay-loop';
/** The score every parked contact starts with. */
export const START_SCORE = 100;
const CAUSE = JSON.stringify({ api: true });

/** A store, a manual clock at T0 and a runtime with the point-decay-loop template published. */
export async function openDecayWorld(path: string): Promise<{ store: Store; clock: ManualClock; rt: Runtime }> {
  const store = await Store.open(path);
  const clock = new ManualClock(T0);
  let n = 0;
  const rt = await Runtime.create({ store, clock, ids: () => `id-${++n}` });
  const doc = JSON.parse(readFileSync(new URL('../maps/point-decay-loop.json', import.meta.url), 'utf8'));
  await createMap(rt, doc, DECAY_MAP);
  await publishMap(rt, DECAY_MAP);
  return { store, clock, rt };
}

/** Parks contacts 0..n-1 the way the engine does: created through the API with a score, in batches. */
export async function parkThroughEngine(rt: Runtime, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    const inputs = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) inputs.push({ id: contactId(j), fields: { email: `${contactId(j)}@bench.test`, custom_lead_score: START_SCORE } });
    await createContacts(rt, inputs, { api: true });
  }
}

/**
 * Parks contacts 0..n-1 set-based: the rows `parkThroughEngine` writes (contact, position at the
 * wait, two history rows each, the element counts), in a handful of statements.
 */
export async function parkSetBased(store: Store, n: number, now = T0): Promise<void> {
  const due = sql.lit(now + 86_400_000);
  const at = sql.lit(now);
  const pg = store.dialect.name === 'postgres';
  await store.transaction(async (s) => {
    const db = s.db;
    const seq = sql`with recursive seq(i) as (select 0 union all select i + 1 from seq where i + 1 < ${sql.lit(n)})`;
    // The same ids and JSON on both databases, each in its own words.
    const id = pg ? sql`'c' || lpad(i::text, 7, '0')` : sql`'c' || printf('%07d', i)`;
    const email = sql`${id} || '@bench.test'`;
    const quoted = pg ? sql`to_json(${email})::text` : sql`json_quote(${email})`;
    await sql`${seq} insert into contacts (id, email_norm, created_at, updated_at, f_email, f_created_at, f_custom_lead_score)
      select ${id}, ${email}, ${at}, ${at}, ${email}, ${at}, ${sql.lit(START_SCORE)} from seq`.execute(db);
    await sql`${seq} insert into positions (map_id, contact_id, element_id, version, entered_at, due_at, timeout_at, on_condition, stuck)
      select ${sql.lit(DECAY_MAP)}, ${id}, 'wait', 1, ${at}, ${due}, null, 0, 0 from seq`.execute(db);
    // Two rows per contact, email first, in contact order: the ids the engine would have given.
    await sql`${seq}, k(k) as (select 0 union all select 1)
      insert into history (contact_id, at, field, from_json, to_json, cause_json)
      select ${id}, ${at}, case k when 0 then 'email' else 'custom_lead_score' end, null,
             case k when 0 then ${quoted} else ${sql.lit(String(START_SCORE))} end, ${sql.lit(CAUSE)}
      from seq, k order by i, k`.execute(db);
    await s.bumpStats([
      { mapId: DECAY_MAP, elementId: 'created', wereHere: n, errors: 0, at: now },
      { mapId: DECAY_MAP, elementId: 'wait', wereHere: n, errors: 0, at: now },
    ]);
  });
}

/** Every row the engine keeps per contact, in a stable order, for comparing two databases. */
export async function snapshot(store: Store): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  const order: Record<string, string> = {
    contacts: 'id', positions: 'map_id, contact_id', history: 'id', element_stats: 'map_id, element_id',
    contact_tags: 'contact_id, tag', date_timers: 'map_id, element_id, contact_id', scoring_rule_states: 'model_id, rule_id, contact_id', events: 'id',
  };
  for (const [table, by] of Object.entries(order)) {
    out[table] = (await sql`select * from ${sql.table(table)} order by ${sql.raw(by)}`.execute(store.db)).rows;
  }
  return out;
}
