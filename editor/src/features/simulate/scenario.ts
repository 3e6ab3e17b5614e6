/**
 * The Simulate panel's scenario as the form holds it (text the user types), kept in localStorage,
 * and turned into the scenario POST /api/simulate takes (SPEC §7).
 */
import { KNOWN_EVENTS } from '../../../../engine/schema/event.js';

export interface DraftContact { id: string; email: string; fields: string }
export interface DraftEvent { contact: string; type: string; at: string; props: string }
/** A field's value at a moment (drafts saved before webhook checks existed have no `kind`). */
export interface DraftFieldExpect { kind?: 'field'; contact: string; at: string; field: string; equals: string; tolerance: string }
/** How many webhooks a contact got by a moment; `element` '' counts every webhook element. */
export interface DraftWebhookExpect { kind: 'webhooks'; contact: string; at: string; count: string; element: string }
export type DraftExpect = DraftFieldExpect | DraftWebhookExpect;

/** The form: times are ISO-8601, props and extra fields are `key=value` lists. */
export interface Draft {
  start: string;
  until: string;
  /** Saved maps by id; `version` picks a published version instead of the draft. */
  maps: { id: string; version?: number }[];
  models: string[];
  contacts: DraftContact[];
  events: DraftEvent[];
  expect: DraftExpect[];
  /** The field the charts draw. */
  chartField: string;
}

const KEY = 'scoremap.simulate.scenario';
const DAY = 86_400_000;

/** A small example: two contacts, a few actions over two weeks. */
export function exampleDraft(now = Date.now()): Draft {
  const start = Math.floor(now / DAY) * DAY;
  const at = (days: number, hours: number) => new Date(start + days * DAY + hours * 3_600_000).toISOString();
  return {
    start: new Date(start).toISOString(),
    until: new Date(start + 14 * DAY).toISOString(),
    maps: [], models: [],
    contacts: [
      { id: 'ann', email: 'ann@example.com', fields: 'job_title=CEO' },
      { id: 'bob', email: 'bob@example.com', fields: '' },
    ],
    events: [
      { contact: 'ann', type: 'email_link_clicked', at: at(0, 10), props: 'url=/webinar' },
      { contact: 'ann', type: 'page_visited', at: at(0, 11), props: 'url=/pricing' },
      { contact: 'bob', type: 'page_visited', at: at(2, 9), props: 'url=/blog' },
      { contact: 'ann', type: 'demo_requested', at: at(5, 15), props: '' },
    ],
    expect: [],
    chartField: 'score',
  };
}

/** The last scenario run or edited here, or null. */
export function loadDraft(): Draft | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const d = JSON.parse(raw) as Partial<Draft>;
    if (typeof d.start !== 'string' || !Array.isArray(d.contacts)) return null;
    return { ...exampleDraft(), ...d } as Draft;
  } catch {
    return null;
  }
}

export function saveDraft(d: Draft): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(d));
  } catch { /* storage full or off: the panel still works */ }
}

/** "12" → 12, "true" → true, anything else stays text; known props keep their declared type. */
function typedValue(raw: string, type?: 'text' | 'number' | 'boolean'): string | number | boolean {
  const v = raw.trim();
  if (type === 'text') return v;
  if ((type === 'number' || type === undefined) && v !== '' && Number.isFinite(Number(v))) return Number(v);
  if ((type === 'boolean' || type === undefined) && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}

/** Reads `a=1, b=text` into an object; a part without `=` is an error in words. */
export function parsePairs(text: string, types: Readonly<Record<string, 'text' | 'number' | 'boolean'>> = {}): Record<string, string | number | boolean> | string {
  const out: Record<string, string | number | boolean> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return `"${part}" is not key=value`;
    const key = part.slice(0, eq).trim();
    out[key] = typedValue(part.slice(eq + 1), types[key]);
  }
  return out;
}

/** Which input a problem of the form is about, so it can be marked: `contact:0:fields`, `expect:2:field`. */
export type DraftSpot = `contact:${number}:fields` | `expect:${number}:field`;

/** The first field a contact sets or an expectation checks that `known` (keys and labels, lower case) lacks. */
export function unknownField(d: Draft, known: ReadonlySet<string>): { error: string; spot: DraftSpot } | null {
  const has = (name: string) => known.has(name.trim().toLowerCase());
  for (const [i, c] of d.contacts.entries()) {
    const fields = parsePairs(c.fields);
    if (typeof fields === 'string') continue;
    const bad = Object.keys(fields).find((k) => !has(k));
    if (bad) return { spot: `contact:${i}:fields`, error: `Contact "${c.id.trim() || i + 1}" sets "${bad}", which is not a field: use a field's key or label, or create the field first.` };
  }
  for (const [i, x] of d.expect.entries()) {
    if (x.kind === 'webhooks' || !x.field.trim() || has(x.field)) continue;
    return { spot: `expect:${i}:field`, error: `Expectation ${i + 1} checks "${x.field.trim()}", which is not a field: use a field's key or label.` };
  }
  return null;
}

/** What the API takes, or the first problem of the form in words. */
export function buildScenario(d: Draft, extra: { scoringModels: unknown[]; fields: unknown[] }): { scenario: unknown } | { error: string } {
  if (!(Date.parse(d.until) >= Date.parse(d.start))) return { error: '"Until" must not be before "Start".' };
  const ids = new Set<string>();
  const contacts = [];
  for (const [i, c] of d.contacts.entries()) {
    const id = c.id.trim();
    if (!id) return { error: `Contact ${i + 1} has no id.` };
    if (ids.has(id)) return { error: `Two contacts have the id "${id}".` };
    ids.add(id);
    const fields = parsePairs(c.fields);
    if (typeof fields === 'string') return { error: `Contact "${id}", fields: ${fields}.` };
    contacts.push({ id, fields: { ...(c.email.trim() ? { email: c.email.trim() } : {}), ...fields } });
  }
  const events = [];
  for (const [i, e] of d.events.entries()) {
    if (!ids.has(e.contact)) return { error: `Event ${i + 1} names the contact "${e.contact}", which is not in the contacts table.` };
    const props = parsePairs(e.props, KNOWN_EVENTS[e.type]);
    if (typeof props === 'string') return { error: `Event ${i + 1}, props: ${props}.` };
    if (!Number.isFinite(Date.parse(e.at))) return { error: `Event ${i + 1} has no time.` };
    events.push({ id: `e${i + 1}`, contact: { id: e.contact }, type: e.type, at: e.at, ...(Object.keys(props).length ? { props } : {}) });
  }
  const expect = [];
  for (const [i, x] of d.expect.entries()) {
    if (!ids.has(x.contact)) return { error: `Expectation ${i + 1} names the contact "${x.contact}", which is not in the contacts table.` };
    if (x.kind === 'webhooks') {
      const count = x.count.trim() === '' ? NaN : Number(x.count);
      if (!Number.isInteger(count) || count < 0) return { error: `Expectation ${i + 1}: how many webhooks is a whole number, 0 or more ("${x.count}" is not).` };
      expect.push({ contact: x.contact, at: x.at, webhooks: count, ...(x.element ? { element: x.element } : {}) });
      continue;
    }
    if (!x.field.trim()) return { error: `Expectation ${i + 1} names no field.` };
    const equals = typedValue(x.equals);
    const tolerance = x.tolerance.trim() === '' ? undefined : Number(x.tolerance);
    expect.push({ contact: x.contact, at: x.at, field: x.field.trim(), equals: x.equals.trim() === '' ? null : equals, ...(tolerance !== undefined && Number.isFinite(tolerance) ? { tolerance } : {}) });
  }
  return {
    scenario: {
      start: d.start, until: d.until,
      ...(extra.fields.length ? { fields: extra.fields } : {}),
      maps: d.maps.map((m) => (m.version ? { id: m.id, version: m.version } : { id: m.id })),
      scoringModels: extra.scoringModels,
      contacts, events, expect,
    },
  };
}

/** ISO → the value of a `datetime-local` input (the reader's zone). */
export function toLocalInput(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** A `datetime-local` value → ISO (empty stays empty). */
export function fromLocalInput(v: string): string {
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}
