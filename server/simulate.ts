import type { z } from 'zod';
import { ManualClock } from '../engine/clock.js';
import type { FieldValue } from '../engine/elements/types.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../engine/schema/field.js';
import { ScoringModel } from '../engine/scoring/model.js';
import { declareFields } from '../engine/validate.js';
import type { EventInput } from '../engine/schema/event.js';
import { expectationShape, Scenario, type Expectation, type FieldExpectation, type WebhookExpectation } from '../engine/schema/scenario.js';
import type { WebhookCall } from '../engine/effects.js';
import type { Cause } from '../engine/state.js';
import { Store } from './store/store.js';
import { Runtime, WorkBudgetExceeded, type RuntimeHook } from './runtime/runtime.js';
import { createMap, publishMap } from './runtime/maps.js';
import { createContacts } from './runtime/contacts.js';
import { saveModel } from './runtime/scoring.js';
import { AppError, badRequest, invalid } from './errors.js';

/** A value as simulation results show it: dates as ISO-8601. */
export type ShownValue = number | string | boolean | null | readonly string[];

export interface SimulationResult {
  readonly history: { contact: string; at: string; field: string; from: ShownValue; to: ShownValue; cause: Cause }[];
  readonly final: Record<string, Record<string, ShownValue>>;
  readonly expectations: (Expectation & { actual: ShownValue; pass: boolean })[];
  readonly errors: { map?: string; element?: string; message: string; count?: number }[];
  /** The deliveries `webhook` elements would have made, in the order they were queued: none is sent. */
  readonly webhooks: SimulatedDelivery[];
}

/** A delivery a simulation records instead of sending it (SPEC §10 "The seventh element"). */
export interface SimulatedDelivery {
  readonly contact: string;
  readonly at: string;
  readonly map: string;
  readonly element: string;
  /** The subscription it would go through, or… */
  readonly webhook?: string;
  /** …the URL it would post to. */
  readonly url?: string;
  /** null: the subscription's own format (a simulation knows no subscriptions). */
  readonly format: 'json' | 'slack' | null;
  /** The element's message with the contact's fields filled in, or null when it has none. */
  readonly message: string | null;
}

/**
 * A runtime hook that keeps the deliveries each batch queued. It is the simulation's only hook: no
 * outbox sees them, so a simulation records and never sends. (Its transactions never run twice:
 * its one in-memory database has no other writer to race.)
 */
function deliveryRecorder(into: WebhookCall[]): RuntimeHook {
  return {
    async written(_s, effects) {
      into.push(...effects.webhooks);
    },
  };
}

function shownDelivery(w: WebhookCall): SimulatedDelivery {
  return {
    contact: w.contactId, at: new Date(w.at).toISOString(), map: w.mapId, element: w.elementId,
    ...(w.webhook !== undefined ? { webhook: w.webhook } : { url: w.url }),
    format: w.format ?? null, message: w.message ?? null,
  };
}

/** Finds the map document a scenario names by `{ id }` or `{ file }`; inline maps need none. */
export type MapResolver = (ref: { id: string } | { file: string }) => Promise<unknown>;

const noResolver: MapResolver = async (ref) => {
  throw badRequest(`This simulation cannot load ${'id' in ref ? `the map "${ref.id}"` : `the file "${ref.file}"`}: give the map inline`);
};

/**
 * Runs a scenario on the real engine with a private in-memory database and a manual clock
 * (SPEC §7). Never touches real contacts. Throws AppError for a malformed scenario.
 */
/**
 * Due work one simulation may run (see `RuntimeOptions.dueWorkBudget`). Measured on a 2-core
 * machine: 200,000 steps of one contact on a loop of one-second waits took 7.1 s, so the budget is
 * about a minute of such a loop; a year of daily waits for 1,000 contacts uses a fifth of it.
 */
export const SIMULATION_BUDGET = 2_000_000;

export async function simulate(input: unknown, resolve: MapResolver = noResolver, budget = SIMULATION_BUDGET): Promise<SimulationResult> {
  const parsed = Scenario.safeParse(input);
  if (!parsed.success) {
    const issue = explained(parsed.error.issues[0], input);
    throw badRequest(`The scenario is not valid: ${issue.path.join('.') || 'scenario'}: ${issue.message}`, { issues: parsed.error.issues });
  }
  const scenario = parsed.data;
  const start = Date.parse(scenario.start);
  const until = Date.parse(scenario.until);
  const clock = new ManualClock(start);
  const store = await Store.open(':memory:');
  let counter = 0;
  const queued: WebhookCall[] = [];
  const rt = await Runtime.create({ store, clock, ids: () => `sim-${++counter}`, dueWorkBudget: budget, hooks: [deliveryRecorder(queued)] });
  const errors: SimulationResult['errors'] = [];
  try {
    // Declared fields that clash (a built-in's label, a key twice) would fail half-way through creating them.
    const declared = declareFields(scenario.fields, new FieldRegistry(BUILTIN_FIELDS), 'scenario').problems;
    if (declared.length) throw badRequest(`The scenario is not valid: ${declared[0].message}`, { problems: declared });
    if (scenario.fields?.length) await store.createFields(scenario.fields, start);
    await rt.reload();
    for (const [i, ref] of (scenario.scoringModels ?? []).entries()) {
      try {
        const isFile = typeof ref === 'object' && ref !== null && 'file' in ref && Object.keys(ref).length === 1;
        const model = isFile ? await resolve(ref as { file: string }) : ref;
        const parsed = ScoringModel.safeParse(model);
        const clashes = parsed.success ? declareFields(parsed.data.fields, rt.world.fields, 'model').problems : [];
        if (clashes.length) throw invalid(clashes[0].message, { problems: clashes });
        await saveModel(rt, model, { create: true });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        throw new AppError(e.status === 409 ? 409 : 422, `Scoring model ${i + 1}: ${e.message}`, e.details);
      }
    }
    const mapIds: string[] = [];
    for (const [i, ref] of scenario.maps.entries()) {
      const doc = 'elements' in ref ? ref : await resolve(ref as { id: string } | { file: string });
      const id = `map-${i + 1}`;
      try {
        await createMap(rt, doc, id);
        await publishMap(rt, id);
        mapIds.push(id);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        throw new AppError(e.status === 409 ? 409 : 422, `Map ${i + 1}: ${e.message}`, e.details);
      }
    }
    await createContacts(rt, scenario.contacts, { import: true });

    // Events sorted by time, stably; at one instant: due work, then events, then expectations.
    type Point = { at: number; order: number; event?: EventInput; expect?: Expectation };
    const points: Point[] = [
      ...scenario.events.map((event, i) => ({ at: Date.parse(event.at ?? scenario.start), order: i, event })),
      ...scenario.expect.map((expect, i) => ({ at: Date.parse(expect.at), order: 1e9 + i, expect })),
    ].sort((a, b) => a.at - b.at || a.order - b.order);
    for (const p of points) {
      if (p.at < start) throw badRequest(`Everything in a scenario happens at or after "start"; ${new Date(p.at).toISOString()} is before it`);
    }
    const expectations: SimulationResult['expectations'] = [];
    try {
      for (let i = 0; i < points.length; ) {
        const at = points[i].at;
        await rt.advance(Math.max(at, clock.now()), clock);
        while (i < points.length && points[i].at === at) {
          if (points[i].expect) {
            const e = points[i++].expect!;
            expectations.push('webhooks' in e ? checkDeliveries(queued, e) : await check(rt, e));
            continue;
          }
          const batch: EventInput[] = [];
          for (; i < points.length && points[i].at === at && points[i].event; i++) batch.push(points[i].event!);
          await rt.ingest(batch);
        }
      }
      if (until > clock.now()) await rt.advance(until, clock);
    } catch (e) {
      if (!(e instanceof WorkBudgetExceeded)) throw e;
      throw invalid(`The scenario is too large to simulate: ${e.message}. Shorten it, use fewer contacts, or make the shortest wait longer`);
    }

    const fields = rt.world.fields;
    const contactIds = scenario.contacts.map((c) => c.id);
    const states = await store.loadContacts(await store.contactIdsAfter(null, 1_000_000));
    for (const id of states.keys()) if (!contactIds.includes(id)) contactIds.push(id);
    // In time order: a cohort of due waits writes its contacts' rows together, so row ids follow
    // time for each contact but not across contacts (Array.prototype.sort is stable: ids break ties).
    const rows = (await store.historyAfter(0, 10_000_000)).sort((a, b) => a.at - b.at);
    const history = rows.map((h) => ({
      contact: h.contactId, at: new Date(h.at).toISOString(), field: h.field,
      from: show(fields, h.field, h.from), to: show(fields, h.field, h.to), cause: h.cause,
    }));
    const final: SimulationResult['final'] = {};
    for (const id of contactIds) {
      const s = states.get(id);
      if (!s) continue;
      const out: Record<string, ShownValue> = {};
      for (const [k, v] of Object.entries(s.fields)) out[k] = show(fields, k, v);
      out.tags = [...s.tags].sort();
      final[id] = out;
    }
    for (const mapId of mapIds) {
      for (const [element, st] of Object.entries(await store.getStats(mapId))) {
        if (st.errors) errors.push({ map: mapId, element, message: st.lastError ?? 'error', count: st.errors });
      }
    }
    return { history, final, expectations, errors, webhooks: queued.map(shownDelivery) };
  } finally {
    await store.close();
  }
}

/** The number of deliveries queued for the contact (by the element, if named) up to the expectation's moment. */
function checkDeliveries(queued: readonly WebhookCall[], e: WebhookExpectation): SimulationResult['expectations'][number] {
  const upTo = Date.parse(e.at);
  const actual = queued.filter((w) => w.contactId === e.contact && w.at <= upTo && (e.element === undefined || w.elementId === e.element)).length;
  return { ...e, actual, pass: actual === e.webhooks };
}

/** A refused expectation explained by the shape it meant to have, rather than "fits neither". */
function explained(issue: z.core.$ZodIssue, input: unknown): { path: PropertyKey[]; message: string } {
  const [list, index] = issue.path;
  if (issue.code !== 'invalid_union' || list !== 'expect' || typeof index !== 'number' || issue.path.length !== 2) return issue;
  const value = (input as { expect: unknown[] }).expect[index];
  const inner = expectationShape(value).safeParse(value);
  return inner.success ? issue : { path: [...issue.path, ...inner.error.issues[0].path], message: inner.error.issues[0].message };
}

async function check(rt: Runtime, e: FieldExpectation): Promise<SimulationResult['expectations'][number]> {
  const state = (await rt.store.loadContacts([e.contact])).get(e.contact);
  const field = rt.world.fields.resolve(e.field);
  let actual: ShownValue = null;
  if (state && field) actual = field.key === 'tags' ? [...state.tags].sort() : show(rt.world.fields, field.key, state.fields[field.key] ?? null);
  return { ...e, actual, pass: matches(actual, e.equals, e.tolerance) };
}

function matches(actual: ShownValue, expected: FieldExpectation['equals'], tolerance = 0): boolean {
  if (typeof actual === 'number' && typeof expected === 'number') return Math.abs(actual - expected) <= tolerance + 1e-9;
  if (Array.isArray(actual) && Array.isArray(expected)) return [...expected].sort().join('\u0000') === [...actual].join('\u0000');
  if (typeof actual === 'string' && typeof expected === 'string') {
    // Dates compare as instants, whatever ISO spelling the expectation uses.
    const [a, b] = [Date.parse(actual), Date.parse(expected)];
    if (/^\d{4}-\d\d-\d\dT/.test(actual) && Number.isFinite(a) && Number.isFinite(b)) return a === b;
  }
  return actual === expected;
}

/** Shows a stored value: dates as ISO-8601, the rest as is. */
export function show(fields: FieldRegistry, key: string, v: FieldValue): ShownValue {
  if (typeof v === 'number' && fields.get(key)?.type === 'date') return new Date(v).toISOString();
  return v as ShownValue;
}
