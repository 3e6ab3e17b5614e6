import { sql, type RawBuilder } from 'kysely';
import { processWork, type Work, type World } from '../../engine/cascade.js';
import type { CompiledMap } from '../../engine/compile.js';
import { Effects } from '../../engine/effects.js';
import type { Element } from '../../engine/elements/index.js';
import { compileExpression, type Expr } from '../../engine/expression/index.js';
import { CROSSING_OPS, isFieldTest, type Condition } from '../../engine/schema/condition.js';
import { durationMs } from '../../engine/schema/duration.js';
import { bracketField } from '../../engine/scoring/run.js';
import { fieldColumn } from '../store/columns.js';
import { num, numberJson, rounding, roundLikeEngine } from '../store/sql-numbers.js';
import type { Store } from '../store/store.js';
import { SLICE_STEPS } from './due.js';
import type { Runtime } from './runtime.js';

/**
 * Cohort execution of due waits (issue 20): the contacts of one batch of due work that wake at
 * the same `for` wait of the same map move as a set. What each element does is worked out once
 * per cohort as SQL over the contacts' own columns — an update_field's value, rounded to the
 * field's decimals as `coerceForField` rounds it; a condition's test; the next wait's due time —
 * so the cohort runs in a handful of statements: one INSERT … SELECT that splits it into the
 * paths its contacts take (a condition splits by its test) and works out the values each path
 * writes, into a temp table of the wait; then per path one INSERT … SELECT of history per
 * update_field, one UPDATE of the contacts for all paths, one UPDATE (re-park) or DELETE (end) of
 * the positions; the element counts are added once per element with the number of contacts.
 *
 * What cannot be expressed set-based exactly as the per-contact path runs it goes through the
 * per-contact path (`processWork`) in the same transaction, and is counted in
 * `Runtime.cohortStats.fallbacks`:
 *
 * - per wait (from the compiled world, cached per world): a wait that is not a plain `for` wait;
 *   anything but update_field (of a number field, with an expression of number fields, numeric
 *   literals, unary −, +, −, ×, min, max, abs), condition (tests of number fields: =, ≠, >, ≥, <,
 *   ≤, empty, not empty, all/any/not), goto, end and a `for` wait before the next wait or end (an
 *   assign_owner among them: each contact takes its own turn of the rotation, in order); an
 *   instant cycle; more than 32 paths or 100 steps; an expression that could reach 10^10; and
 *   anything else hearing a written field: a field_updated trigger of another running map, a
 *   scoring model on or reading it, a runtime hook listening to it (the webhooks' outbox);
 * - per contact (asked in the splitting SELECT): a value out of range (|v| > 10^9, or a written
 *   field holding more decimals than its field keeps: its history text could differ), a condition
 *   wait on another map (every change re-checks it), or a field_updated trigger of the map itself
 *   that the change would fire (the contact left the map, or the trigger moves contacts here);
 * - per item: a contact with more than one piece of work in the batch.
 *
 * The batch keeps the per-contact path's order rules exactly: items run in due order, and the
 * batch stops before an item due later than something it scheduled or once it ran SLICE_STEPS
 * steps, counting each cohort contact's steps and re-park time exactly (known from its path).
 */

const TRUE = sql<boolean>`(1 = 1)`;
const FALSE = sql<boolean>`(1 = 0)`;
/** A column of the layer below (every layer selects `l.*` and adds its own). */
const col = (name: string, alias = 'l'): RawBuilder<number> => sql<number>`${sql.ref(`${alias}.${name}`)}`;

/** Field values a contact may hold for the cohort path, in magnitude. */
const IN_BOUND = 1e9;
/** Values a cohort may compute, in magnitude: with at most 3 decimals, 13 significant digits, so history text is exact. */
const OUT_BOUND = 1e10;
const MAX_PATHS = 32;
const MAX_PATH_STEPS = 100;
const MAX_LAYERS = 400;

/** A value as a column of the cohort's query (see `Layers`). */
interface Value {
  readonly name: string;
  /** The largest magnitude it can take given inputs within IN_BOUND. */
  readonly bound: number;
  /** Whether it can be null (a field never written on this path whose column is empty). */
  readonly nullable: boolean;
}

/**
 * The cohort's query, built as layers: each selects everything below it (`l.*`) and adds columns
 * worked out from those, behind a fence that keeps both databases from folding it into the layer
 * above (`limit -1 offset 0` / `offset 0`), so each value is worked out once per contact however
 * often later steps read it. The base layer (`id`, `at`, `b_<field>` …) is made per statement.
 */
class Layers {
  readonly list: (readonly [string, RawBuilder<unknown>])[][] = [];
  readonly depth = new Map<string, number>();
  #n = 0;

  add(...exprs: RawBuilder<unknown>[]): string[] {
    if (this.list.length >= MAX_LAYERS) throw new Ineligible();
    const names = exprs.map(() => `x${++this.#n}`);
    this.list.push(names.map((n, i) => [n, exprs[i]] as const));
    for (const n of names) this.depth.set(n, this.list.length);
    return names;
  }

  /** The layers up to the deepest of `names`, on `base`. */
  build(base: RawBuilder<unknown>, fence: RawBuilder<unknown>, names: readonly string[]): RawBuilder<unknown> {
    const upTo = Math.max(0, ...names.map((n) => this.depth.get(n) ?? 0));
    let q = base;
    for (const cols of this.list.slice(0, upTo)) q = sql`select l.*, ${sql.join(cols.map(([n, e]) => sql`${e} as ${sql.ref(n)}`))} from (${q}) l ${fence}`;
    return q;
  }
}

/** One write on a path: the history row it makes when the value changes. */
interface Write {
  readonly elementId: string;
  readonly field: string;
  readonly from: string;
  readonly to: string;
  readonly changed: string;
}

/** One way through the elements from a wait to the next wait or end. */
interface Path {
  /** The elements passed, in order, the last being the wait parked at or the end. */
  readonly elements: readonly string[];
  /** Column: whether a contact takes this path. */
  readonly when: string;
  readonly writes: readonly Write[];
  /** Each written field's column after the path. */
  readonly finals: ReadonlyMap<string, string>;
  /** The wait parked at and its duration, or null: the path ends. */
  readonly park: { readonly waitId: string; readonly ms: number } | null;
  /** Column: whether a field_updated trigger of the map itself would fire for the contact afterwards. */
  readonly fires: string;
}

/** A wait whose contacts may run as a cohort, or an event trigger they may enter by as one. */
export interface Segment {
  readonly map: CompiledMap;
  /** The wait the cohort wakes at, or the event trigger it enters by (`entry`). */
  readonly waitId: string;
  /** Whether the cohort enters the map by the trigger `waitId` (an event), rather than waking at a wait. */
  readonly entry: boolean;
  readonly paths: readonly Path[];
  readonly layers: Layers;
  /**
   * The temp table the splitting statement fills with each contact's path and values, which the
   * history and contact statements then read (so each value is worked out once per contact):
   * its name, and its value columns with their SQL types.
   */
  readonly table: { readonly name: string; readonly columns: ReadonlyMap<string, 'double precision' | 'integer'> };
  /** Every field read or written, and the written ones with their decimals. */
  readonly reads: ReadonlySet<string>;
  readonly written: ReadonlyMap<string, number>;
}

class Ineligible extends Error {}

/** Contacts one cohort statement names at most (a batch of due work is at most 1,000). */
const PART = 1_000;
const parts = <T>(rows: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += PART) out.push(rows.slice(i, i + PART));
  return out;
};

const SEGMENTS = new WeakMap<World, Map<string, Segment | null>>();

/** The cohort plan of a map's wait, or null when its contacts go one by one (cached per world). */
export function segmentOf(rt: Runtime, map: CompiledMap, waitId: string, entry = false): Segment | null {
  let cache = SEGMENTS.get(rt.world);
  if (!cache) SEGMENTS.set(rt.world, (cache = new Map()));
  const key = `${entry ? 'entry' : 'wait'}\u0000${map.id}\u0000${waitId}`;
  let seg = cache.get(key);
  if (seg === undefined) {
    try {
      seg = planSegment(rt, map, waitId, entry);
    } catch (e) {
      if (!(e instanceof Ineligible)) throw e;
      seg = null;
    }
    cache.set(key, seg);
  }
  return seg;
}

const isForWait = (el: Element | undefined): el is Element & { kind: 'wait'; for: NonNullable<unknown> } =>
  el?.kind === 'wait' && !!el.for && !el.until && !el.timeout && el.timeoutNext === undefined;

/** A short stable name part (FNV-1a, hex) for a segment's temp table. */
function tableKey(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The base layer's column of a field's stored value. */
const baseName = (key: string) => `b_${key}`;

function planSegment(rt: Runtime, map: CompiledMap, waitId: string, entry: boolean): Segment {
  const world = rt.world;
  const wait = map.elements.get(waitId);
  // An entry: an event trigger with no `where` (which trigger of a map an event opens is then known
  // without its props); a wake: a plain `for` wait.
  if (map.paused || !wait || (wait.kind !== 'trigger' && wait.kind !== 'wait')) throw new Ineligible();
  if (entry ? wait.kind !== 'trigger' || wait.on.type !== 'event' || wait.on.where !== undefined : !isForWait(wait)) throw new Ineligible();
  const first = wait.next;
  if (!first || !map.elements.has(first)) throw new Ineligible();
  const reads = new Set<string>();
  const written = new Map<string, number>();
  const layers = new Layers();
  const found: Omit<Path, 'when' | 'fires'>[] = [];
  const conds: (readonly { name: string; holds: boolean }[])[] = [];
  type Env = ReadonlyMap<string, Value>;
  type Sym = { readonly sql: RawBuilder<number>; readonly bound: number };

  const numberField = (ref: string) => {
    const key = map.fields.resolve(ref)?.key;
    const def = key === undefined ? undefined : world.fields.get(key);
    if (!key || def?.type !== 'number' || map.fields.resolve(ref)?.type !== 'number') throw new Ineligible();
    return { key, decimals: def.decimals ?? 0 };
  };
  const read = (env: Env, key: string): Value => {
    reads.add(key);
    return env.get(key) ?? { name: baseName(key), bound: IN_BOUND, nullable: true };
  };
  /** A field as an expression reads it: empty is 0. */
  const value = (v: Value): RawBuilder<number> => (v.nullable ? sql<number>`coalesce(${col(v.name)}, ${num(0)})` : col(v.name));

  const expr = (e: Expr, env: Env): Sym => {
    if (e.type !== 'number') throw new Ineligible();
    switch (e.kind) {
      case 'number':
        if (!Number.isFinite(e.value)) throw new Ineligible();
        return { sql: num(e.value), bound: Math.abs(e.value) };
      case 'field': {
        const v = read(env, numberField(e.key).key);
        return { sql: value(v), bound: v.bound };
      }
      case 'unary': {
        const a = expr(e.operand, env);
        return { sql: sql<number>`(-${a.sql})`, bound: a.bound };
      }
      case 'binary': {
        if (e.op !== '+' && e.op !== '-' && e.op !== '*') throw new Ineligible();
        const a = expr(e.left, env);
        const b = expr(e.right, env);
        return { sql: sql<number>`(${a.sql} ${sql.raw(e.op)} ${b.sql})`, bound: e.op === '*' ? a.bound * b.bound : a.bound + b.bound };
      }
      case 'call': {
        const args = e.args.map((x) => expr(x, env));
        const bound = Math.max(...args.map((a) => a.bound));
        if (e.name === 'abs' && args.length === 1) return { sql: sql<number>`abs(${args[0].sql})`, bound };
        if ((e.name === 'min' || e.name === 'max') && args.length >= 1) {
          if (args.length === 1) return args[0];
          // SQLite's many-argument min/max and PostgreSQL's least/greatest (no argument is null here).
          const fn = sql.raw(rt.store.dialect.name === 'postgres' ? (e.name === 'min' ? 'least' : 'greatest') : e.name);
          return { sql: sql<number>`${fn}(${sql.join(args.map((a) => a.sql))})`, bound };
        }
        throw new Ineligible();
      }
      default:
        throw new Ineligible();
    }
  };

  const test = (c: Condition, env: Env): RawBuilder<boolean> => {
    if ('all' in c) return c.all.length ? sql<boolean>`(${sql.join(c.all.map((x) => test(x, env)), sql` and `)})` : TRUE;
    if ('any' in c) return c.any.length ? sql<boolean>`(${sql.join(c.any.map((x) => test(x, env)), sql` or `)})` : FALSE;
    if ('not' in c) return sql<boolean>`(not ${test(c.not, env)})`;
    if (!isFieldTest(c) || CROSSING_OPS.has(c.op)) throw new Ineligible();
    const v = read(env, numberField(c.field).key);
    if (c.op === 'is_empty') return v.nullable ? sql<boolean>`(${col(v.name)} is null)` : FALSE;
    if (c.op === 'not_empty') return v.nullable ? sql<boolean>`(${col(v.name)} is not null)` : TRUE;
    // Numbers only: an empty number reads as 0 (conditions.ts `FieldOperand`).
    if (typeof c.value !== 'number' || !Number.isFinite(c.value)) throw new Ineligible();
    const ops: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
    const op = ops[c.op];
    if (!op) throw new Ineligible();
    return sql<boolean>`(${value(v)} ${sql.raw(op)} ${num(c.value)})`;
  };

  type Walk = { readonly env: Env; readonly when: readonly { name: string; holds: boolean }[]; readonly writes: readonly Write[]; readonly seen: readonly string[] };
  const walk = (id: string, w: Walk): void => {
    if (found.length >= MAX_PATHS || w.seen.length >= MAX_PATH_STEPS || w.seen.includes(id)) throw new Ineligible();
    const el = map.elements.get(id);
    if (!el) throw new Ineligible();
    const passed = [...w.seen, id];
    const next = (to: string | undefined, x: Partial<Walk> = {}) => {
      if (!to || !map.elements.has(to)) throw new Ineligible();
      walk(to, { ...w, ...x, seen: passed });
    };
    const finals = () => new Map([...w.env].map(([k, v]) => [k, v.name]));
    switch (el.kind) {
      case 'wait':
        if (!isForWait(el) || !el.for) throw new Ineligible();
        found.push({ elements: passed, writes: w.writes, finals: finals(), park: { waitId: el.id, ms: durationMs(el.for) } });
        conds.push(w.when);
        return;
      case 'end':
        found.push({ elements: passed, writes: w.writes, finals: finals(), park: null });
        conds.push(w.when);
        return;
      case 'goto':
        return next(el.target);
      case 'condition': {
        if (!el.if) throw new Ineligible();
        const [name] = layers.add(test(el.if, w.env));
        next(el.then, { when: [...w.when, { name, holds: true }] });
        next(el.else, { when: [...w.when, { name, holds: false }] });
        return;
      }
      case 'update_field': {
        const { key, decimals } = numberField(el.field);
        if (el.value === undefined || key === 'created_at') throw new Ineligible();
        let parsed = map.expressions.get(el.value);
        if (!parsed) {
          const c = compileExpression(el.value, map.fields);
          if (!c.ok) throw new Ineligible();
          parsed = c.expr;
        }
        const raw = expr(parsed, w.env);
        if (raw.bound > OUT_BOUND) throw new Ineligible();
        const from = read(w.env, key);
        // coerceForField: rounded to the field's decimals (see `rounding`).
        const [rawName] = layers.add(raw.sql);
        const [scaled] = layers.add(rounding.scale(col(rawName), decimals));
        const [to] = layers.add(rounding.finish(col(rawName), col(scaled), decimals));
        // sameValue: an equal value is no change (no history, and the contact keeps the value it had).
        const changedSql = from.nullable ? sql<boolean>`(${col(from.name)} is null or ${col(from.name)} <> ${col(to)})` : sql<boolean>`(${col(from.name)} <> ${col(to)})`;
        const [changed, after] = layers.add(changedSql, sql`(case when ${changedSql} then ${col(to)} else ${col(from.name)} end)`);
        written.set(key, decimals);
        const env = new Map(w.env).set(key, { name: after, bound: Math.max(from.bound, raw.bound + 1), nullable: false });
        return next(el.next, { env, writes: [...w.writes, { elementId: el.id, field: key, from: from.name, to, changed }] });
      }
      default:
        throw new Ineligible();
    }
  };
  walk(first, { env: new Map(), when: [], writes: [], seen: [] });

  // Nothing else may hear the written fields (as `hasListeners` for the daily degradation).
  for (const key of written.keys()) {
    if (rt.hooks.some((h) => h.listens?.(key))) throw new Ineligible();
    for (const m of world.models ?? []) if (m.model.field === key || m.reads.has(key) || bracketField(m.model.field) === key) throw new Ineligible();
    for (const other of world.maps) {
      if (other === map || other.paused) continue;
      if (other.triggers.field_updated.some((t) => other.fields.resolve(t.on.field)?.key === key)) throw new Ineligible();
      if (other.triggers.date_reached.some((t) => other.fields.resolve(t.on.field)?.key === key)) throw new Ineligible();
    }
    if (map.triggers.date_reached.some((t) => map.fields.resolve(t.on.field)?.key === key)) throw new Ineligible();
  }
  // The map's own field_updated triggers: a no-op for a contact still on the map ("ignore"), else
  // they may move it (it left at an end, or the trigger says "move here"): those contacts go one by one.
  const own = map.triggers.field_updated
    .map((t) => ({ t, key: map.fields.resolve(t.on.field)?.key }))
    .filter((x): x is { t: typeof x.t; key: string } => x.key !== undefined && written.has(x.key));
  const last: RawBuilder<unknown>[] = [];
  for (const [i, p] of found.entries()) {
    const when = conds[i].map((c) => (c.holds ? col(c.name) : sql`(not ${col(c.name)})`));
    last.push(when.length ? sql`(${sql.join(when, sql` and `)})` : TRUE);
    const fires: RawBuilder<boolean>[] = [];
    for (const { t, key } of own) {
      if (p.park && (t.ifOnMap ?? 'ignore') !== 'move_here') continue;
      const changes = p.writes.filter((w) => w.field === key).map((w) => col(w.changed));
      if (!changes.length) continue;
      let where: RawBuilder<boolean> = TRUE;
      if (t.on.where) {
        const env = new Map([...p.finals].map(([k, name]) => [k, { name, bound: OUT_BOUND, nullable: false }]));
        try {
          where = test(t.on.where, env);
        } catch (e) {
          if (!(e instanceof Ineligible)) throw e;
          where = TRUE; // cannot tell here: the contact goes one by one whenever the field changed
        }
      }
      fires.push(sql<boolean>`((${sql.join(changes, sql` or `)}) and ${where})`);
    }
    last.push(fires.length ? sql`(${sql.join(fires, sql` or `)})` : FALSE);
  }
  const names = layers.add(...last);
  const paths = found.map((p, i): Path => ({ ...p, when: names[2 * i], fires: names[2 * i + 1] }));
  const columns = new Map<string, 'double precision' | 'integer'>();
  for (const p of paths) {
    for (const w of p.writes) columns.set(w.from, 'double precision').set(w.to, 'double precision').set(w.changed, 'integer');
    for (const name of p.finals.values()) columns.set(name, 'double precision');
  }
  const table = { name: `cohort_${tableKey(`${entry ? 'entry' : 'wait'}\u0000${map.id}\u0000${waitId}\u0000${[...columns].join(',')}`)}`, columns };
  return { map, waitId, entry, paths, layers, table, reads, written };
}

/** How often cohorts ran, with how many contacts, and how many due waits went one by one instead. */
export interface CohortStats {
  cohorts: number;
  contacts: number;
  fallbacks: number;
  /** Events taken without the per-contact path (`event-cohort.ts`): entries as cohorts, or nothing to run. */
  events: number;
  /** Of those, contacts that entered a map as a cohort. */
  entries: number;
  /** Events that went through the per-contact path while cohorts were on. */
  eventFallbacks: number;
  /** Those events by the reason they went one by one (`event-cohort.ts`). */
  eventReasons: Record<string, number>;
}

type Item = { readonly contactId: string; readonly work: Work; readonly at: number };

/** What the splitting SELECT said of a cohort contact. */
export interface Planned {
  readonly seg: Segment;
  readonly path: number;
}

/**
 * A batch of due work (`DueWork`'s slice) with cohorts: like `Runtime.runItems` with `inOrder`,
 * `locked` and `slice`, in the caller's transaction; answers how many items it ran.
 */
export async function runDueItems(
  rt: Runtime, s: Store, items: readonly Item[],
  opts: { inOrder?: boolean; locked?: boolean; slice?: boolean; steps?: number; claimed?: ClaimedCohorts },
): Promise<number> {
  const steps = opts.steps ?? SLICE_STEPS;
  if (!rt.cohorts) return rt.runItems(s, items, opts);
  const perContact = new Map<string, number>();
  for (const i of items) perContact.set(i.contactId, (perContact.get(i.contactId) ?? 0) + 1);
  const byMap = new Map<CompiledMap, Map<string, number>>();
  for (const i of items) {
    if (i.work.kind !== 'wake' || perContact.get(i.contactId) !== 1) continue;
    const map = rt.world.maps.find((m) => m.id === (i.work as { mapId: string }).mapId);
    if (!map || map.paused || !map.doc.elements.some((el) => el.kind === 'wait' && segmentOf(rt, map, el.id))) continue;
    let due = byMap.get(map);
    if (!due) byMap.set(map, (due = new Map()));
    due.set(i.contactId, i.at);
  }
  if (!byMap.size) {
    const done = await rt.runItems(s, items, opts);
    countFallbacks(rt, items.slice(0, done));
    return done;
  }
  const planned = new Map<string, Planned>();
  for (const [map, due] of byMap) {
    // The claim worked out one segment of the map already (`claimWaits`): only what it planned for
    // contacts taken here (one piece of work in the batch) counts, and that segment is not split again.
    const filled = opts.claimed?.get(map);
    if (filled) for (const [id, p] of filled.planned) if (due.has(id)) planned.set(id, p);
    await split(rt, s, map, due, planned, filled?.seg);
  }

  const others = [...new Set(items.filter((i) => !planned.has(i.contactId)).map((i) => i.contactId))];
  const states = others.length ? await rt.loadStates(s, others, { locked: opts.locked }) : new Map();
  const effects = new Effects();
  let cohortSteps = 0;
  let cohortDue = Infinity;
  const chosen: { item: Item; plan: Planned }[] = [];
  let done = 0;
  let last = 0;
  for (const item of items) {
    if (done > 0 && opts.inOrder && item.at > Math.min(effects.earliestDue, cohortDue)) break;
    if (done > 0 && opts.slice && effects.steps + cohortSteps >= steps) break;
    const plan = planned.get(item.contactId);
    if (plan) {
      const path = plan.seg.paths[plan.path];
      // A wake costs a step, then one per element passed (CauseRun.resume, move).
      cohortSteps += 1 + path.elements.length;
      if (path.park) cohortDue = Math.min(cohortDue, item.at + path.park.ms);
      chosen.push({ item, plan });
    } else {
      const state = states.get(item.contactId);
      if (state) processWork(rt.world, state, item.work, item.at, effects);
      if (item.work.kind === 'wake') rt.cohortStats.fallbacks++;
    }
    last = Math.max(last, item.at);
    done++;
  }
  if (chosen.length) rt.cohortStats.cohorts += await runCohorts(s, chosen, effects, last);
  effects.steps += cohortSteps;
  if (cohortDue < effects.earliestDue) effects.earliestDue = cohortDue;
  rt.cohortStats.contacts += chosen.length;
  await rt.flush(s, effects, last);
  return done;
}

function countFallbacks(rt: Runtime, items: readonly Item[]): void {
  for (const i of items) if (i.work.kind === 'wake') rt.cohortStats.fallbacks++;
}

/**
 * `column in (ids)` with the ids as one parameter (a JSON list on SQLite, an array on PostgreSQL):
 * a batch's thousand ids are then one bound value per statement, not a thousand.
 */
const idIn = (s: Store, column: RawBuilder<unknown>, ids: readonly string[]): RawBuilder<boolean> =>
  s.dialect.name === 'postgres'
    ? sql<boolean>`${column} = any(cast(${[...ids]} as text[]))`
    : sql<boolean>`${column} in (select value from json_each(${JSON.stringify(ids)}))`;

/** Keeps a layer from being folded into the one above (SQLite: a subquery with OFFSET is not flattened; PostgreSQL: nor pulled up). */
const fenceOf = (s: Store): RawBuilder<unknown> => (s.dialect.name === 'postgres' ? sql`offset 0` : sql`limit -1 offset 0`);

/**
 * The base layer: the cohort's contacts at the segment's wait, with their due time and stored
 * values; with `flags`, whether their values fit the cohort path and whether they wait on a
 * condition in another map.
 */
function base(s: Store, seg: Segment, ids: readonly string[], flags: boolean): RawBuilder<unknown> {
  const cols: RawBuilder<unknown>[] = [sql`contacts.id as id`, sql`positions.due_at as at`, ...valueColumns(seg, flags)];
  return sql`select ${sql.join(cols)} from positions join contacts on contacts.id = positions.contact_id
    where positions.map_id = ${seg.map.id} and ${idIn(s, sql`positions.contact_id`, ids)}
      and (positions.element_id || '') = ${seg.waitId} and positions.stuck = 0 and (positions.due_at + 0) is not null`;
}

/**
 * The base layer of a claim (`claimWaits`): the map's first `limit` due positions in due order,
 * wherever they are, with their contacts' values and flags (as `base`), and `here`: whether the
 * position is at the segment's wait (only those may run as its cohort).
 */
function claimBase(seg: Segment, upTo: number, limit: number): RawBuilder<unknown> {
  const cols: RawBuilder<unknown>[] = [
    sql`p.contact_id as id`, sql`p.due_at as at`, ...valueColumns(seg, true),
    sql`(case when contacts.id is not null and (p.element_id || '') = ${seg.waitId} and p.stuck = 0 then 1 else 0 end) as here`,
  ];
  return sql`select ${sql.join(cols)} from (select contact_id, due_at, element_id, stuck from positions
      where map_id = ${seg.map.id} and due_at is not null and due_at <= ${upTo} order by due_at, contact_id limit ${limit}) p
    left join contacts on contacts.id = p.contact_id`;
}

/** What `claimWaits` worked out per map: the segment it filled and its contacts' paths. */
export type ClaimedCohorts = Map<CompiledMap, { readonly seg: Segment; readonly planned: ReadonlyMap<string, Planned> }>;

/**
 * Claims the map's next `limit` due positions and, in the same statement, splits those at its
 * first cohort wait into their paths with the values they write (the splitting statement over
 * the due scan instead of over a list of claimed ids): answers the claim, as
 * `Store.claimDueContacts` does, and the plan, or null when the claim goes its own way. Only on a
 * database one process writes (SQLite, whose transaction holds the write lock, so reading is
 * claiming): on a shared one the claim takes row locks (`Dialect.claimDuePositions`).
 */
export async function claimWaits(
  rt: Runtime, s: Store, map: CompiledMap, upTo: number, limit: number,
): Promise<{ due: { contactId: string; dueAt: number }[]; seg: Segment; planned: Map<string, Planned> } | null> {
  if (!rt.cohorts || s.dialect.shared || map.paused) return null;
  let seg: Segment | null = null;
  for (const el of map.doc.elements) {
    const found = el.kind === 'wait' ? segmentOf(rt, map, el.id) : null;
    if (found && !heard(rt, found)) {
      seg = found;
      break;
    }
  }
  if (!seg) return null;
  const rows = await fill(s, seg, claimBase(seg, upTo, limit), { here: true });
  rows.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const planned = new Map<string, Planned>();
  for (const r of rows) if (r.ok) planned.set(r.id, { seg, path: r.path });
  return { due: rows.map((r) => ({ contactId: r.id, dueAt: r.at })), seg, planned };
}

/** The base layer of an entry: the contacts, entering at `now`, with their stored values and flags (as `base`). */
function entryBase(s: Store, seg: Segment, ids: readonly string[], now: number): RawBuilder<unknown> {
  const cols: RawBuilder<unknown>[] = [sql`contacts.id as id`, sql`cast(${now} as bigint) as at`, ...valueColumns(seg, true)];
  return sql`select ${sql.join(cols)} from contacts where ${idIn(s, sql`contacts.id`, ids)}`;
}

/** The stored values a segment reads; with `flags`, `fits` and `waiting` (see `base`). */
function valueColumns(seg: Segment, flags: boolean): RawBuilder<unknown>[] {
  const column = (key: string) => sql<number>`${sql.ref(`contacts.${fieldColumn(key)}`)}`;
  const cols: RawBuilder<unknown>[] = [];
  for (const key of seg.reads) cols.push(sql`${column(key)} as ${sql.ref(baseName(key))}`);
  if (flags) {
    // Values the statements work out exactly: within IN_BOUND, and written ones holding no more decimals than their field keeps.
    const fit = [...seg.reads].map((key) => {
      const c = column(key);
      const d = seg.written.get(key);
      const keeps = d === undefined ? TRUE : sql<boolean>`${roundLikeEngine(c, d)} = ${c}`;
      return sql<boolean>`(${c} is null or (abs(${c}) <= ${num(IN_BOUND)} and ${keeps}))`;
    });
    cols.push(sql`(case when ${fit.length ? sql.join(fit, sql` and `) : TRUE} then 1 else 0 end) as fits`);
    cols.push(sql`(case when exists (select 1 from positions w where w.contact_id = contacts.id and w.map_id <> ${seg.map.id} and w.on_condition = 1 and w.stuck = 0) then 1 else 0 end) as waiting`);
  }
  return cols;
}

/**
 * The splitting statements: for contacts due on `map`, which eligible wait each is at and which
 * path it takes from there, with the values the path writes, into the segment's temp table; then
 * which of them run as a cohort (not those that must go one by one).
 */
async function split(rt: Runtime, s: Store, map: CompiledMap, due: ReadonlyMap<string, number>, out: Map<string, Planned>, filled?: Segment): Promise<void> {
  const ids = [...due.keys()];
  for (const el of map.doc.elements) {
    const seg = el.kind === 'wait' ? segmentOf(rt, map, el.id) : null;
    // Asked again each batch (the plan is cached per world): a hook that starts listening goes one by one at once.
    if (!seg || seg === filled || heard(rt, seg)) continue;
    for (const r of await fill(s, seg, base(s, seg, ids, true))) {
      if (!r.ok) continue;
      // On a shared database the claim may have read a position another process moved on since
      // (it locks the contact, not the position): as CauseRun's wake, a contact whose position is
      // no longer due at its item's time is not woken here (the per-contact path passes it by).
      if (r.at === due.get(r.id)) out.set(r.id, { seg, path: r.path });
    }
  }
}

/** Whether a runtime hook hears a field the segment writes (asked each batch: hooks change). */
const heard = (rt: Runtime, seg: Segment): boolean => [...seg.written.keys()].some((key) => rt.hooks.some((h) => h.listens?.(key)));

/**
 * The splitting statement of a segment over the contacts `baseQuery` selects (with flags): each
 * one's path and the values it writes, into the segment's temp table; answers the contacts that
 * run as a cohort (not those that must go one by one), with their time and path.
 */
async function fill(s: Store, seg: Segment, baseQuery: RawBuilder<unknown>, opts: { here?: boolean } = {}): Promise<{ id: string; at: number; path: number; ok: boolean }[]> {
  const table = sql.table(seg.table.name);
  const defs = [...seg.table.columns].map(([name, type]) => sql`${sql.ref(name)} ${sql.raw(type)}`);
  // A temp table lives with the connection (SQLite's one; each PostgreSQL connection makes its own).
  await sql`create temp table if not exists ${table} (id text, at bigint, path integer, ok integer${sql.join(defs.map((d) => sql`, ${d}`), sql``)})${sql.raw(s.dialect.name === 'postgres' ? ' on commit delete rows' : '')}`.execute(s.db);
  await sql`delete from ${table}`.execute(s.db);
  const q = seg.layers.build(baseQuery, fenceOf(s), [...seg.table.columns.keys(), ...seg.paths.flatMap((p) => [p.when, p.fires])]);
  const path = sql.join(seg.paths.map((p, i) => sql`when ${col(p.when)} then ${sql.lit(i)}`), sql` `);
  const fires = sql.join(seg.paths.map((p) => sql`when ${col(p.when)} then (case when ${col(p.fires)} then 1 else 0 end)`), sql` `);
  const values = [...seg.table.columns].map(([name, type]) => (type === 'integer' ? sql`(case when ${col(name)} then 1 else 0 end)` : col(name)));
  const names = [...seg.table.columns.keys()].map((n) => sql`, ${sql.ref(n)}`);
  // ok: the path is known and nothing sends the contact one by one (see the file's comment).
  const rows = await sql`insert into ${table} (id, at, path, ok${sql.join(names, sql``)})
    select l.id, l.at, (case ${path} else -1 end),
      (case when ${opts.here ? sql`l.here = 1 and ` : sql``}l.fits = 1 and l.waiting = 0 and (case ${fires} else 1 end) = 0 and (case ${path} else -1 end) >= 0 then 1 else 0 end)${sql.join(values.map((v) => sql`, ${v}`), sql``)}
    from (${q}) l returning id, at, path, ok`.execute(s.db);
  return (rows.rows as { id: string; path: number | string; at: number | string; ok: number | string }[]).map((r) => ({ id: r.id, at: Number(r.at), path: Number(r.path), ok: Number(r.ok) === 1 }));
}

/**
 * Which contacts of `ids` (none of them on the map: the caller knows) enter `seg`'s map by its
 * event trigger at `now` as a cohort, and by which path: the splitting statement of an entry
 * (see `fill`). The rows stay in the segment's temp table for `runCohorts`, in this transaction.
 */
export async function splitEntries(rt: Runtime, s: Store, seg: Segment, ids: readonly string[], now: number): Promise<Map<string, Planned>> {
  const out = new Map<string, Planned>();
  if (!seg.entry || heard(rt, seg)) return out;
  for (const r of await fill(s, seg, entryBase(s, seg, ids, now))) if (r.ok) out.set(r.id, { seg, path: r.path });
  return out;
}

/**
 * Runs the chosen cohort contacts' paths as set-based statements and adds the element counts to
 * `effects`; answers how many cohorts (waits) ran.
 */
export async function runCohorts(s: Store, chosen: readonly { item: { readonly contactId: string; readonly at: number }; plan: Planned }[], effects: Effects, last: number): Promise<number> {
  const groups = new Map<Segment, Map<number, { ids: string[]; at: number }>>();
  for (const { item, plan } of chosen) {
    let g = groups.get(plan.seg);
    if (!g) groups.set(plan.seg, (g = new Map()));
    let p = g.get(plan.path);
    if (!p) g.set(plan.path, (p = { ids: [], at: item.at }));
    p.ids.push(item.contactId);
    p.at = Math.max(p.at, item.at);
  }
  const db = s.db;
  for (const [seg, paths] of groups) {
    const map = seg.map;
    const table = sql.table(seg.table.name);
    // The temp table keeps only the contacts that run now (not those past where the batch stops).
    const now = [...paths.values()].flatMap((p) => p.ids);
    await sql`delete from ${table} where ok <> 1 or path < 0 or not (${idIn(s, sql`id`, now)})`.execute(db);
    const ended: string[] = [];
    const parked = new Map<string, { waitId: string; ms: number; ids: string[] }>();
    const sets = new Map<string, RawBuilder<unknown>[]>();
    const changes: RawBuilder<unknown>[] = [];
    for (const [index, { ids, at }] of paths) {
      const path = seg.paths[index];
      // History, one statement per write, in path order: each contact's rows keep their order
      // (one row per contact and statement, so no statement needs an order of its own).
      for (const w of path.writes) {
        const cause = JSON.stringify({ map: map.id, version: map.version, element: w.elementId });
        await sql`insert into history (contact_id, at, field, from_json, to_json, cause_json)
          select t.id, t.at, ${w.field}, ${numberJson(col(w.from, 't'))}, ${numberJson(col(w.to, 't'))}, ${cause} from ${table} t
          where t.path = ${sql.lit(index)} and ${col(w.changed, 't')} = 1`.execute(db);
      }
      if (path.writes.length) {
        for (const [key, name] of path.finals) {
          let list = sets.get(key);
          if (!list) sets.set(key, (list = []));
          list.push(sql`when ${sql.lit(index)} then ${col(name, 't')}`);
        }
        changes.push(sql`when ${sql.lit(index)} then (${sql.join(path.writes.map((w) => sql`${col(w.changed, 't')} = 1`), sql` or `)})`);
      }
      if (path.park) {
        const k = `${path.park.waitId}\u0000${path.park.ms}`;
        let p = parked.get(k);
        if (!p) parked.set(k, (p = { waitId: path.park.waitId, ms: path.park.ms, ids: [] }));
        p.ids.push(...ids);
      } else ended.push(...ids);
      // An entry's move counts the trigger first, then each element passed (CauseRun.move).
      for (const elementId of seg.entry ? [seg.waitId, ...path.elements] : path.elements) {
        const key = `${map.id}\u0000${elementId}`;
        let st = effects.stats.get(key);
        if (!st) effects.stats.set(key, (st = { mapId: map.id, elementId, wereHere: 0, errors: 0, at }));
        st.wereHere += ids.length;
        st.at = Math.max(st.at, at);
      }
    }
    if (changes.length) {
      // Every path's new values in one statement: a field a path leaves alone keeps its value.
      const set = [...sets].map(([key, whens]) => {
        const c = sql.ref(`contacts.${fieldColumn(key)}`);
        return sql`${sql.ref(fieldColumn(key))} = (case t.path ${sql.join(whens, sql` `)} else ${c} end)`;
      });
      await sql`update contacts set ${sql.join(set)}, updated_at = ${last} from ${table} t
        where contacts.id = t.id and (case t.path ${sql.join(changes, sql` `)} else ${FALSE} end)`.execute(db);
    }
    // Re-park as CauseRun.park does: entered at the contact's own due time (its now), due a wait later.
    // Most rows already have every other column right (a loop back to the same wait): only their
    // times are written, as `writePositions` writes only the columns that changed.
    if (seg.entry) {
      // An entry parks each contact as CauseRun.park does, over whatever position it had on the
      // map ("move here"), or takes it off the map at an end (a contact that was not on it has no row).
      for (const [index] of paths) {
        const park = seg.paths[index].park;
        const inPath = sql`select t.id from ${table} t where t.path = ${sql.lit(index)}`;
        if (!park) {
          await sql`delete from positions where map_id = ${map.id} and contact_id in (${inPath})`.execute(db);
          continue;
        }
        await sql`insert into positions (map_id, contact_id, element_id, version, entered_at, due_at, timeout_at, on_condition, stuck)
          select ${map.id}, t.id, ${park.waitId}, cast(${map.version} as integer), t.at, t.at + ${park.ms}, null, 0, 0 from ${table} t where t.path = ${sql.lit(index)}
          on conflict (map_id, contact_id) do update set element_id = excluded.element_id, version = excluded.version, entered_at = excluded.entered_at,
            due_at = excluded.due_at, timeout_at = null, on_condition = 0, stuck = 0`.execute(db);
      }
      continue;
    }
    for (const { waitId, ms, ids } of parked.values()) {
      for (const part of parts(ids)) {
        const inPart = sql`map_id = ${map.id} and ${idIn(s, sql`contact_id`, part)}`;
        const same = sql`(element_id || '') = ${waitId} and version = ${map.version} and timeout_at is null and on_condition = 0 and stuck = 0`;
        const r = await sql`update positions set entered_at = due_at, due_at = due_at + ${ms} where ${inPart} and ${same}`.execute(db);
        if (Number(r.numAffectedRows ?? 0) === part.length) continue;
        await sql`update positions set element_id = ${waitId}, version = ${map.version}, entered_at = due_at, due_at = due_at + ${ms},
            timeout_at = null, on_condition = 0, stuck = 0
          where ${inPart} and not (${same})`.execute(db);
      }
    }
    for (const part of parts(ended)) {
      await sql`delete from positions where map_id = ${map.id} and ${idIn(s, sql`contact_id`, part)}`.execute(db);
    }
  }
  return groups.size;
}
