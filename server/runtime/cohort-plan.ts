import { sql, type RawBuilder } from 'kysely';
import { activeOf, perWorld } from '../../engine/cascade.js';
import type { CompiledMap } from '../../engine/compile.js';
import type { Element, TriggerElement } from '../../engine/elements/index.js';
import { compileExpression, type Expr } from '../../engine/expression/index.js';
import { CROSSING_OPS, isFieldTest, type Condition } from '../../engine/schema/condition.js';
import { durationMs } from '../../engine/schema/duration.js';
import { bracketField } from '../../engine/scoring/run.js';
import { num, rounding } from '../store/sql-numbers.js';
import type { Runtime } from './runtime.js';

/**
 * The cohort plan of a wait (or of an event trigger a cohort enters by): the paths its contacts
 * can take to the next wait or end, each value they write as a column of the splitting
 * statement's layers, and whether anything else hears those values. Worked out once per world
 * from the compiled maps, with no database; what is not exactly expressible in SQL makes the
 * segment ineligible (null), and its contacts go one by one. See `cohort.ts` for the rules.
 */

export const TRUE = sql<boolean>`(1 = 1)`;
export const FALSE = sql<boolean>`(1 = 0)`;
/** A column of the layer below (every layer selects `l.*` and adds its own). */
export const col = (name: string, alias = 'l'): RawBuilder<number> => sql<number>`${sql.ref(`${alias}.${name}`)}`;

/** Field values a contact may hold for the cohort path, in magnitude. */
export const IN_BOUND = 1e9;
/** Values a cohort may compute, in magnitude: with at most 3 decimals, 13 significant digits, so history text is exact. */
export const OUT_BOUND = 1e10;
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
  /** Column: whether a field_updated trigger of a running map would move the contact afterwards (it then goes one by one). */
  readonly fires: string;
  /**
   * Columns of the reactions run as the next cohort (`Segment.reactions`): which one moves the
   * contact (its index, or −1), and how many would (more than one: the contact goes one by one).
   */
  readonly react: string;
  readonly reacts: string;
}

/** A wait whose contacts may run as a cohort, or a trigger they may enter by as one. */
export interface Segment {
  readonly map: CompiledMap;
  /** The wait the cohort wakes at, or the trigger it enters by (`entry`). */
  readonly waitId: string;
  /** Whether the cohort enters the map by the trigger `waitId` (an event, or a reaction), rather than waking at a wait. */
  readonly entry: boolean;
  /**
   * The segments a field_updated trigger of another map enters by, when a path's write opens it:
   * those contacts run it as the next cohort (`cohort-split.ts` `chainReactions`), reading the
   * values this segment left. Empty for a reaction itself: what its writes move goes one by one.
   */
  readonly reactions: readonly Segment[];
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
  /**
   * The other maps with a field_updated trigger on a written field that ignores contacts already
   * there: the base layer says for each, in its column `onMapColumn(i)`, whether the contact is on it.
   */
  readonly onMaps: readonly string[];
}

class Ineligible extends Error {}

const SEGMENTS = perWorld(() => new Map<string, Segment | null>());

/**
 * What a segment starts at: a `for` wait its contacts wake at; an event trigger they enter by; a
 * field_updated trigger they enter by when another segment's write opens it (its `where` asked there).
 */
export type SegmentKind = 'wait' | 'entry' | 'reaction';

/** The cohort plan of a map's wait or trigger, or null when its contacts go one by one (cached per world). */
export function segmentOf(rt: Runtime, map: CompiledMap, waitId: string, kind: SegmentKind = 'wait'): Segment | null {
  const cache = SEGMENTS(rt.world);
  const key = `${kind}\u0000${map.id}\u0000${waitId}`;
  let seg = cache.get(key);
  if (seg === undefined) {
    try {
      seg = planSegment(rt, map, waitId, kind);
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
export const baseName = (key: string) => `b_${key}`;

/** The base layer's column saying whether the contact is on the `i`th of `Segment.onMaps`. */
export const onMapColumn = (i: number) => `on_${i}`;

/** `onMapColumn` of map `id`, added to `onMaps` when it is not there yet. */
function onMapName(onMaps: string[], id: string): string {
  let i = onMaps.indexOf(id);
  if (i < 0) i = onMaps.push(id) - 1;
  return onMapColumn(i);
}

function planSegment(rt: Runtime, map: CompiledMap, waitId: string, kind: SegmentKind): Segment {
  const world = rt.world;
  const wait = map.elements.get(waitId);
  const entry = kind !== 'wait';
  // An entry: an event trigger with no `where` (which trigger of a map an event opens is then known
  // without its props); a reaction: a field_updated trigger; a wake: a plain `for` wait.
  if (map.paused || !wait || (wait.kind !== 'trigger' && wait.kind !== 'wait')) throw new Ineligible();
  const starts = kind === 'wait' ? isForWait(wait)
    : kind === 'entry' ? wait.kind === 'trigger' && wait.on.type === 'event' && wait.on.where === undefined
      : wait.kind === 'trigger' && wait.on.type === 'field_updated';
  if (!starts) throw new Ineligible();
  const first = wait.next;
  if (!first || !map.elements.has(first)) throw new Ineligible();
  const reads = new Set<string>();
  const written = new Map<string, number>();
  const layers = new Layers();
  const found: Omit<Path, 'when' | 'fires' | 'react' | 'reacts'>[] = [];
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

  // Nothing else may hear the written fields (as `hasListeners` for the daily degradation), but
  // the field_updated triggers of maps: whether they move the contact is asked per contact below.
  for (const key of written.keys()) {
    if (rt.hooks.some((h) => h.listens?.(key))) throw new Ineligible();
    for (const m of world.models ?? []) if (m.model.field === key || m.reads.has(key) || bracketField(m.model.field) === key) throw new Ineligible();
    for (const other of activeOf(world)) {
      if (other.triggers.date_reached.some((t) => other.fields.resolve(t.on.field)?.key === key)) throw new Ineligible();
    }
  }
  // The field_updated triggers on a written field, per running map. A change opens a map's first
  // such trigger whose `where` holds (CauseRun.changeTrigger): a no-op for a contact on that map
  // when the trigger ignores contacts already there, else it moves the contact, which then goes
  // one by one. The map itself: the contact is on it after a path that parks. Another map: a
  // column of the base layer says whether the contact is on it (`Segment.onMaps`).
  const onMaps: string[] = [];
  const hearing = activeOf(world)
    .map((m) => ({
      m,
      triggers: m.triggers.field_updated
        .map((t) => ({ t, key: m.fields.resolve(t.on.field)?.key }))
        .filter((x): x is { t: typeof x.t; key: string } => x.key !== undefined && written.has(x.key)),
    }))
    .filter((h) => h.triggers.length);
  const reactions: Segment[] = [];
  const last: RawBuilder<unknown>[] = [];
  for (const [i, p] of found.entries()) {
    const when = conds[i].map((c) => (c.holds ? col(c.name) : sql`(not ${col(c.name)})`));
    last.push(when.length ? sql`(${sql.join(when, sql` and `)})` : TRUE);
    // The `where` is read at the drain, with the values the path leaves.
    const env = new Map([...p.finals].map(([k, name]) => [k, { name, bound: OUT_BOUND, nullable: false }]));
    // Every trigger a write of the path may open, in the order the drain asks them: by write, then by map.
    const heard: Heard[] = [];
    for (const w of p.writes) {
      for (const { m, triggers } of hearing) {
        // Whether the contact is on the map when the change is heard, for the triggers that ignore it there.
        const on = () => (m === map ? (p.park ? TRUE : FALSE) : col(onMapName(onMaps, m.id)));
        for (const { t, key } of triggers) {
          if (key !== w.field) continue;
          let where: RawBuilder<boolean> = TRUE;
          let exact = true;
          if (t.on.where) {
            try {
              where = test(t.on.where, env);
            } catch (e) {
              if (!(e instanceof Ineligible)) throw e;
              [where, exact] = [TRUE, false]; // cannot tell here: the contact goes one by one whenever the field changed
            }
          }
          // An earlier trigger of the map whose `where` holds opens instead: asking each as if it were first only sends more contacts one by one.
          const moves = (t.ifOnMap ?? 'ignore') === 'move_here' ? TRUE : sql<boolean>`(not ${on()})`;
          heard.push({ w, m, t, exact, opens: sql<boolean>`(${col(w.changed)} and ${where} and ${moves})` });
        }
      }
    }
    const fires: RawBuilder<boolean>[] = [];
    const reacts: { index: number; opens: RawBuilder<boolean> }[] = [];
    for (const [j, h] of heard.entries()) {
      const r = kind === 'reaction' ? null : reactionOf(rt, map, p.writes, heard, j);
      if (!r) {
        fires.push(h.opens);
        continue;
      }
      let index = reactions.indexOf(r);
      if (index < 0) index = reactions.push(r) - 1;
      reacts.push({ index, opens: h.opens });
    }
    last.push(fires.length ? sql`(${sql.join(fires, sql` or `)})` : FALSE);
    last.push(reacts.length ? sql`(case ${sql.join(reacts.map((r) => sql`when ${r.opens} then ${sql.lit(r.index)}`), sql` `)} else -1 end)` : sql`-1`);
    last.push(reacts.length ? sql`(${sql.join(reacts.map((r) => sql`(case when ${r.opens} then 1 else 0 end)`), sql` + `)})` : sql`0`);
  }
  const names = layers.add(...last);
  const paths = found.map((p, i): Path => ({ ...p, when: names[4 * i], fires: names[4 * i + 1], react: names[4 * i + 2], reacts: names[4 * i + 3] }));
  const columns = new Map<string, 'double precision' | 'integer'>();
  for (const p of paths) {
    for (const w of p.writes) columns.set(w.from, 'double precision').set(w.to, 'double precision').set(w.changed, 'integer');
    for (const name of p.finals.values()) columns.set(name, 'double precision');
  }
  const table = { name: `cohort_${tableKey(`${kind}\u0000${map.id}\u0000${waitId}\u0000${[...columns].join(',')}`)}`, columns };
  return { map, waitId, entry, reactions, paths, layers, table, reads, written, onMaps };
}

/** A trigger a path's write may open: its map, whether its `where` was tested exactly, and the column saying it opens and moves the contact. */
interface Heard {
  readonly w: Write;
  readonly m: CompiledMap;
  readonly t: TriggerElement;
  readonly exact: boolean;
  readonly opens: RawBuilder<boolean>;
}

/**
 * The segment the `j`th trigger a path's writes may open enters by, when the contacts it moves can
 * run it as the next cohort with exactly the per-contact path's result, else null (they go one by
 * one). The per-contact path runs the reaction while it drains that write's change (CauseRun.drain):
 * the triggers asked after it (later writes, later maps) see the values it wrote and where it left
 * the contact. So: its `where` was tested exactly; it is another map's only trigger on the field,
 * which the path writes once; its segment is one (a field_updated trigger, then elements a cohort
 * runs); and no trigger asked after it is on its map or reads a field it writes. Its own writes
 * are asked as any segment's are, and what they move goes one by one.
 */
function reactionOf(rt: Runtime, map: CompiledMap, writes: readonly Write[], heard: readonly Heard[], j: number): Segment | null {
  const h = heard[j];
  if (!h.exact || h.m === map) return null;
  const key = h.w.field;
  if (writes.filter((w) => w.field === key).length !== 1) return null;
  if (h.m.triggers.field_updated.filter((t) => h.m.fields.resolve(t.on.field)?.key === key).length !== 1) return null;
  const r = segmentOf(rt, h.m, h.t.id, 'reaction');
  if (!r) return null;
  for (const later of heard.slice(j + 1)) {
    if (later.m === h.m) return null;
    if (later.t.on.type === 'field_updated' && later.t.on.where && [...fieldsOf(later.t.on.where)].some((f) => r.written.has(later.m.fields.resolve(f)?.key ?? f))) return null;
  }
  return r;
}

/** The fields a condition tests (as written: names or keys). */
function fieldsOf(c: Condition, out = new Set<string>()): Set<string> {
  if ('all' in c) for (const x of c.all) fieldsOf(x, out);
  else if ('any' in c) for (const x of c.any) fieldsOf(x, out);
  else if ('not' in c) fieldsOf(c.not, out);
  else if (isFieldTest(c)) out.add(c.field);
  return out;
}

/** What the splitting SELECT said of a cohort contact: its segment and path, and the reaction it then runs as the next cohort. */
export interface Planned {
  readonly seg: Segment;
  readonly path: number;
  readonly reaction?: { readonly seg: Segment; readonly path: number };
}

/**
 * What a planned contact's run costs the batch, as the per-contact path counts it: its steps (a
 * wake, an entry or a reaction each take a step, then one per element passed: CauseRun.resume,
 * move) and how long after its time each wait it parks at is due.
 */
export function planCost(plan: Planned): { steps: number; parks: number[] } {
  let steps = 0;
  const parks: number[] = [];
  for (const { seg, path } of plan.reaction ? [plan, plan.reaction] : [plan]) {
    const p = seg.paths[path]!;
    steps += 1 + p.elements.length;
    if (p.park) parks.push(p.park.ms);
  }
  return { steps, parks };
}
/** Whether a runtime hook hears a field the segment writes (asked each batch: hooks change). */
export const heard = (rt: Runtime, seg: Segment): boolean => [...seg.written.keys()].some((key) => rt.hooks.some((h) => h.listens?.(key)));
