/**
 * Segment traits to contact fields (SPEC §10). A trait finds its field by, in this order: the
 * user's own table (trait name → field key), the field's own key in snake case (`firstName` →
 * `first_name`, a custom field `plan_tier` from `planTier`), then Segment's reserved trait names
 * (`title` → `job_title`, `employees` → `company_size`, `company.name` → `company`,
 * `address.country` → `country`, and `name` split into first and last names when neither was
 * given). A value is made the field's type where that is unambiguous and dropped otherwise: a
 * stray trait is never an error.
 */
import { z } from 'zod';
import type { FieldDef } from '../../engine/schema/field.js';
import { coerceForField } from '../../engine/values.js';
import { parseSegmentTime } from './segment-schema.js';
import { snakeCase, type NameTable } from './segment-names.js';

/** A value written to a field: text, a number (dates as epoch ms) or true/false. */
export type IntakeFieldValue = string | number | boolean;

/** Whose traits: a person's (identify, `context.traits`) or a group's (the company, on `group`). */
export type TraitsOf = 'person' | 'group';

/** Fields the system keeps, which no trait writes, even through the user's table. */
export const PROTECTED_FIELDS: ReadonlySet<string> = new Set(['score', 'created_at', 'last_activity_at', 'tags', 'external_id', 'anonymous_id']);

/**
 * Built-in fields a trait may name by their own key. A group's traits describe a company, so its
 * `email` or `name` is not the person's: for a group only the company's fields are taken.
 */
const OWN_KEYS: Record<TraitsOf, ReadonlySet<string>> = {
  person: new Set(['email', 'first_name', 'last_name', 'job_title', 'company', 'industry', 'country', 'lifecycle_stage', 'company_size']),
  group: new Set(['company', 'industry', 'company_size']),
};

/** Segment's reserved trait names (identify and group specs), by snake case, → field keys. */
const RESERVED: Record<TraitsOf, Readonly<Record<string, string>>> = {
  person: {
    title: 'job_title',
    employees: 'company_size',
    company_name: 'company',
    company_industry: 'industry',
    company_employee_count: 'company_size',
    company_employees: 'company_size',
    address_country: 'country',
  },
  group: { name: 'company', employees: 'company_size', employee_count: 'company_size' },
};

/** The longest text a field takes (what POST /api/contacts takes): longer text is cut, not refused. */
export const MAX_TEXT_LENGTH = 10_000;
/** Nesting followed in traits; deeper objects are left out. */
const MAX_TRAIT_DEPTH = 4;

const Email = z.email().max(320);

/** How strongly a value was aimed at a field: the lowest rank wins. */
const Rank = { Mapping: 0, OwnKey: 1, Reserved: 2, NameSplit: 3 } as const;
type Rank = (typeof Rank)[keyof typeof Rank];

/** Fields by key, for one catalog. */
export type FieldIndex = ReadonlyMap<string, FieldDef>;

const indexes = new WeakMap<readonly FieldDef[], FieldIndex>();
/** The catalog by key (built once per catalog array). */
export function fieldIndex(fields: readonly FieldDef[]): FieldIndex {
  let index = indexes.get(fields);
  if (!index) indexes.set(fields, (index = new Map(fields.map((f) => [f.key, f]))));
  return index;
}

/**
 * The fields a set of traits writes, by field key. Values that do not fit their field are left
 * out; so are traits no rule places. `table` is the user's trait table (an empty key there means
 * "ignore this trait").
 */
export function fieldsFromTraits(traits: Readonly<Record<string, unknown>> | null | undefined, of: TraitsOf, index: FieldIndex, table: NameTable): Map<string, IntakeFieldValue> {
  const best = new Map<string, { value: IntakeFieldValue; rank: Rank }>();
  const offer = (key: string, raw: unknown, rank: Rank) => {
    const field = index.get(key);
    if (!field || PROTECTED_FIELDS.has(key) || field.type === 'tags') return;
    const value = fit(field, raw);
    const held = best.get(key);
    if (value !== undefined && (!held || rank < held.rank)) best.set(key, { value, rank });
  };
  let fullName: unknown;
  for (const [path, raw] of leaves(traits ?? {})) {
    const mapped = table.get(path);
    if (mapped !== undefined) {
      if (mapped.trim() !== '') offer(mapped.trim(), raw, Rank.Mapping);
      continue;
    }
    const key = snakeCase(path);
    const field = index.get(key);
    if (field && (OWN_KEYS[of].has(key) || !field.builtin)) offer(key, raw, Rank.OwnKey);
    else if (RESERVED[of][key]) offer(RESERVED[of][key], raw, Rank.Reserved);
    else if (key === 'name' && of === 'person') fullName = raw;
  }
  if (typeof fullName === 'string' && !best.has('first_name') && !best.has('last_name')) {
    const [first, ...rest] = fullName.trim().split(/\s+/);
    if (first) offer('first_name', first, Rank.NameSplit);
    if (rest.length) offer('last_name', rest.join(' '), Rank.NameSplit);
  }
  return new Map([...best].map(([k, v]) => [k, v.value]));
}

/** Leaves of a traits object as dotted paths (`address.country`); arrays are leaves. */
function* leaves(obj: Readonly<Record<string, unknown>>, prefix = '', depth = 0): Generator<[string, unknown]> {
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      if (depth < MAX_TRAIT_DEPTH) yield* leaves(v as Record<string, unknown>, path, depth + 1);
    } else yield [path, v];
  }
}

const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;

/** A number written as decimal text ("42", " -3.5 "), or `undefined` for anything else ("42 people", "0x2a", "1e3"). */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : undefined;
}

/**
 * A trait's value made the field's type, or `undefined` where that would be a guess: a number from
 * a number or decimal text ("42", not "42 people" or "0x2a"); yes/no from true/false, "true"/
 * "false" (any case) or 1/0; a date from an ISO-8601 text (not from a number: seconds or ms?);
 * text from text, a number or true/false, cut at 10,000 characters. Null and empty text write
 * nothing (they do not clear a field).
 */
export function fit(field: FieldDef, raw: unknown): IntakeFieldValue | undefined {
  let value: unknown = raw;
  switch (field.type) {
    case 'number':
      if (typeof raw === 'string') value = parseDecimal(raw);
      else if (typeof raw !== 'number') value = undefined;
      break;
    case 'boolean':
      if (typeof raw === 'string') value = { true: true, false: false }[raw.trim().toLowerCase()];
      else if (raw !== 0 && raw !== 1 && typeof raw !== 'boolean') value = undefined;
      break;
    case 'date':
      value = typeof raw === 'string' ? (parseSegmentTime(raw) ?? undefined) : undefined;
      break;
    case 'text':
      if (typeof raw === 'number' || typeof raw === 'boolean') value = String(raw);
      else if (typeof raw === 'string') value = cut(raw.trim(), MAX_TEXT_LENGTH);
      else value = undefined;
      if (field.key === 'email' && !Email.safeParse(value).success) value = undefined;
      break;
    default:
      value = undefined;
  }
  if (value === undefined || value === '') return undefined;
  try {
    return coerceForField(field, value) as IntakeFieldValue;
  } catch {
    return undefined;
  }
}

/** Text cut to `max` UTF-16 units without splitting a surrogate pair (an emoji stays whole or goes). */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
