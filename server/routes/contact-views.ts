import type { Context } from 'hono';
import { z } from 'zod';
import type { FieldValue } from '../../engine/elements/types.js';
import type { ContactState } from '../../engine/state.js';
import { checkCondition } from '../../engine/conditions.js';
import { Condition, CROSSING_OPS, forEachTest } from '../../engine/schema/condition.js';
import { badRequest, notFound } from '../errors.js';
import { zodError } from '../http/router.js';
import type { Runtime } from '../runtime/runtime.js';
import { show, type ShownValue } from '../simulate.js';
import type { HistoryEntry } from '../store/store.js';

/** A contact id: given by the client or generated. "." and ".." are refused: a URL resolves them away, so no path could name the contact. */
export const ContactId = z
  .string()
  .min(1, 'a contact id is not empty')
  .max(200, 'a contact id has at most 200 characters')
  .refine((id) => id !== '.' && id !== '..', 'a contact id cannot be "." or "..": no URL can name such a contact');

/** A tag: trimmed, not empty. */
export const Tag = z.string().trim().min(1, 'a tag is not empty').max(200, 'a tag has at most 200 characters');

/** A field value as a client sends it: text, a number, true/false, null (clears), or a list of tags. */
export const FieldInputValue = z.union([
  z.string().max(10_000, 'a value has at most 10,000 characters'),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(Tag).max(1_000),
]);

/** Field values by key or label. */
export const FieldValues = z
  .record(z.string().min(1).max(200), FieldInputValue)
  .refine((v) => Object.keys(v).length <= 500, { message: 'at most 500 fields at once' })
  .meta({ description: 'Field values by key or label; dates as ISO-8601; an empty value ("" or null) clears the field.' });

/** A contact to create, or to update when one has its email. */
export const ContactBody = z.strictObject({
  id: ContactId.optional(),
  fields: FieldValues,
  tags: z.array(Tag).max(1_000).optional(),
});
export type ContactBody = z.infer<typeof ContactBody>;

const Shown = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string()).readonly()]);
const Iso = z.string().meta({ description: 'ISO-8601 time' });

/** A contact as the API shows it: fields by key (dates ISO-8601, empty ones left out), tags. */
export const ContactSummary = z.object({ id: z.string(), fields: z.record(z.string(), Shown), tags: z.array(z.string()) });

/** A contact with the maps it is on. */
export const ContactView = ContactSummary.extend({
  maps: z.array(z.object({
    mapId: z.string(), mapName: z.string(), element: z.string(), elementLabel: z.string().nullable(),
    since: Iso, dueAt: Iso.nullable(), stuck: z.boolean(),
  })),
});

/** One recorded change. */
export const HistoryView = z.object({
  id: z.number(), at: Iso, field: z.string(), from: Shown, to: Shown, cause: z.record(z.string(), z.unknown()),
});

/** Fields as the API shows them: dates as ISO-8601, empty values left out. */
export function showFields(rt: Runtime, fields: Readonly<Record<string, FieldValue>>): Record<string, ShownValue> {
  const out: Record<string, ShownValue> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== null && v !== undefined) out[k] = show(rt.world.fields, k, v);
  return out;
}

/** The largest epoch ms a JS Date holds (the year 275760). */
const MAX_DATE_MS = 8.64e15;

/**
 * A due time as ISO-8601, or null when no date can show it: a wait until a date field near the end
 * of JS time plus an offset parks past it, and one such contact must not break its own page.
 */
function showableTime(ms: number | null): string | null {
  return ms !== null && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : null;
}

/** A contact with its fields, tags and the maps it is on (map name, element, since when, due when). */
export async function contactView(rt: Runtime, c: ContactState): Promise<z.infer<typeof ContactView>> {
  const maps = c.positions.size ? await rt.store.listMaps() : [];
  const positions = maps.flatMap((m) => {
    const p = c.positions.get(m.id);
    if (!p) return [];
    const element = rt.world.maps.find((w) => w.id === m.id)?.elements.get(p.elementId);
    return [{
      mapId: m.id, mapName: m.name, element: p.elementId, elementLabel: element?.label ?? null,
      since: new Date(p.enteredAt).toISOString(), dueAt: showableTime(p.dueAt), stuck: p.stuck,
    }];
  });
  return { id: c.id, fields: showFields(rt, c.fields), tags: [...c.tags].sort(), maps: positions };
}

/** A history entry as the API shows it (dates ISO-8601). */
export function historyView(rt: Runtime, h: HistoryEntry): z.infer<typeof HistoryView> {
  const fields = rt.world.fields;
  return { id: h.id, at: new Date(h.at).toISOString(), field: h.field, from: show(fields, h.field, h.from), to: show(fields, h.field, h.to), cause: h.cause };
}

/** A path parameter the route names (so always there). */
export const pathParam = (c: Context, name: string): string => c.req.param(name) ?? '';

/** The contact with this id, or 404. */
export async function loadContact(rt: Runtime, id: string): Promise<ContactState> {
  const c = (await rt.store.loadContacts([id])).get(id);
  if (!c) throw notFound(`No contact with id "${id}"`);
  return c;
}

/** Nesting deeper than this is refused before zod walks it. */
const MAX_FILTER_DEPTH = 64;
function depthOf(v: unknown, limit: number): number {
  if (typeof v !== 'object' || v === null || limit <= 0) return 0;
  let max = 0;
  for (const x of Object.values(v)) max = Math.max(max, depthOf(x, limit - 1));
  return max + 1;
}

/** Reads `?filter=`: JSON, a Condition, field tests only, each fitting its field. */
export function readFilter(rt: Runtime, text: string): Condition {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw badRequest(`The filter is not valid JSON: ${(e as Error).message}`);
  }
  return checkFilter(rt, raw);
}

/** A filter given as JSON (the query's, a body's, a saved list's): a Condition, field tests only, each fitting its field. */
export function checkFilter(rt: Runtime, raw: unknown): Condition {
  if (depthOf(raw, MAX_FILTER_DEPTH + 1) > MAX_FILTER_DEPTH) throw badRequest('The filter nests too deep; simplify it');
  const parsed = Condition.safeParse(raw);
  if (!parsed.success) throw zodError('filter', parsed.error);
  forEachTest(parsed.data, (t, path) => {
    const at = path.length ? ` (at ${path.join('.')})` : '';
    if ('prop' in t) throw badRequest(`The event prop test "${t.prop}"${at} is not usable in a contacts filter: there is no event here`);
    if (CROSSING_OPS.has(t.op)) throw badRequest(`"${t.op}"${at} is not usable in a contacts filter: it compares a field before and after a change`);
  });
  const problems: { path: string; message: string }[] = [];
  checkCondition(parsed.data, rt.world.fields, {}, (path, message) => problems.push({ path, message }));
  if (problems.length) throw badRequest(`The filter is not valid: ${problems[0].message}${problems[0].path ? ` (at ${problems[0].path})` : ''}`, { problems });
  return parsed.data;
}
