import { ManualClock } from '../../engine/clock.js';
import type { FieldValue } from '../../engine/elements/types.js';
import type { EventInput } from '../../engine/schema/event.js';
import type { FieldDefinition } from '../../engine/schema/field.js';
import type { Cause, Position } from '../../engine/state.js';
import { testDatabase } from '../store/testing.js';
import { Store, type ElementStats, type HistoryEntry } from '../store/store.js';
import { createContacts } from './contacts.js';
import { createMap, publishMap, type PublishResult } from './maps.js';
import { Runtime } from './runtime.js';

/** 2026-01-01T00:00:00Z, a Thursday: where test clocks start unless told otherwise. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An instant from an ISO time. */
export const at = (iso: string): number => Date.parse(iso);

/** A number field declaration for a test map. */
export const numberField = (key: string, decimals = 0): FieldDefinition => ({ key, label: key.replace(/_/g, ' '), type: 'number', decimals });

/** A map document from its elements and the custom fields it declares. */
export function mapDoc(elements: readonly object[], fields: readonly FieldDefinition[] = [], name = 'Test map') {
  return { name, fields: [...fields], elements: [...elements] };
}

/** The test bench: a store, a manual clock and a runtime, with short ways to drive and read them. */
export interface Bench {
  readonly store: Store;
  readonly clock: ManualClock;
  readonly rt: Runtime;
  /** Creates and publishes a map (ids map-1, map-2, … in creation order unless given); answers its id. */
  publish(doc: unknown, id?: string): Promise<string>;
  /** Publishes a map's saved draft again. */
  republish(id: string, relocate?: Record<string, string>): Promise<PublishResult>;
  /** Creates a contact through the runtime (its contact_created triggers fire). */
  contact(id: string, fields?: Record<string, unknown>): Promise<void>;
  /** One field's current value (null when empty). */
  score(id: string, key?: string): Promise<FieldValue>;
  /** Tags, sorted. */
  tags(id: string): Promise<string[]>;
  /** A contact's changes, oldest first, optionally of one field. */
  history(id: string, field?: string): Promise<HistoryEntry[]>;
  /** `[at, from, to, cause]` of a contact's changes of one field, oldest first. */
  changes(id: string, field: string): Promise<[string, FieldValue, FieldValue, Cause][]>;
  /** Sends one event for a contact (by id) at the clock's now. */
  event(contactId: string, type: string, props?: Record<string, string | number | boolean>, extra?: Partial<EventInput>): Promise<void>;
  /** Runs everything due up to `to` (ms or ISO) and sets the clock there. */
  advance(to: number | string): Promise<void>;
  /** Where the contact is on the map, or undefined. */
  position(mapId: string, contactId: string): Promise<Position | undefined>;
  stats(mapId: string): Promise<Record<string, ElementStats>>;
  close(): Promise<void>;
}

/** Opens a bench on a fresh in-memory database (or `path`) with the clock at `start`. */
export async function setup(opts: { start?: number; path?: string; fields?: FieldDefinition[] } = {}): Promise<Bench> {
  const store = await Store.open(opts.path ?? testDatabase());
  const clock = new ManualClock(opts.start ?? T0);
  let n = 0;
  const rt = await Runtime.create({ store, clock, ids: () => `id-${++n}` });
  if (opts.fields?.length) {
    await store.createFields(opts.fields, clock.now());
    await rt.reload();
  }
  let maps = 0;
  const load = async (id: string) => {
    const c = (await store.loadContacts([id])).get(id);
    if (!c) throw new Error(`no contact ${id}`);
    return c;
  };
  const history = async (id: string, field?: string) => (await store.contactHistory(id, { field })).reverse();
  return {
    store, clock, rt,
    async publish(doc, id = `map-${++maps}`) {
      await createMap(rt, doc, id);
      await publishMap(rt, id);
      return id;
    },
    republish: (id, relocate) => publishMap(rt, id, relocate),
    async contact(id, fields = {}) {
      await createContacts(rt, [{ id, fields }], { api: true });
    },
    async score(id, key = 'score') {
      const c = await load(id);
      return key === 'tags' ? c.tags : (c.fields[key] ?? null);
    },
    async tags(id) {
      return [...(await load(id)).tags].sort();
    },
    history,
    async changes(id, field) {
      return (await history(id, field)).map((h) => [new Date(h.at).toISOString(), h.from, h.to, h.cause]);
    },
    async event(contactId, type, props, extra) {
      await rt.ingest([{ contact: { id: contactId }, type, ...(props ? { props } : {}), ...extra }]);
    },
    advance: (to) => rt.advance(typeof to === 'string' ? Date.parse(to) : to, clock),
    async position(mapId, contactId) {
      return (await load(contactId)).positions.get(mapId);
    },
    stats: (mapId) => store.getStats(mapId),
    close: () => store.close(),
  };
}
