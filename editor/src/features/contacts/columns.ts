/**
 * The contacts list's columns: which ones show, in what order, kept per browser (like HubSpot's
 * "Edit columns"). A column is a field key, or one of the model's columns: its score, bracket and
 * rank (the score column follows the model chosen above the table), or the contact's name.
 */
import type { FieldInfo } from './fields.js';

/** The first and last name together; sorts by first name. */
export const NAME = '@name';
/** The chosen scoring model's score (its field), bracket and percent rank. */
export const SCORE = '@score';
export const BRACKET = '@bracket';
export const RANK = '@rank';

/** What a new browser shows. The email (the link to the contact) is always the first column. */
export const DEFAULT_COLUMNS: readonly string[] = [NAME, SCORE, BRACKET, RANK, 'last_activity_at', 'tags'];

const KEY = 'scoremap.contacts.columns';

/** The columns this browser chose, or the default ones. */
export function loadColumns(): string[] {
  try {
    const raw = localStorage.getItem(KEY);
    const v: unknown = raw ? JSON.parse(raw) : null;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return [...new Set(v as string[])].filter((k) => k !== 'email');
  } catch { /* storage off or garbled: the default columns */ }
  return [...DEFAULT_COLUMNS];
}

export function saveColumns(columns: readonly string[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(columns));
  } catch { /* storage full or off: the choice lasts until the page is left */ }
}

/** The columns with one turned on (added at the end) or off. */
export function toggleColumn(columns: readonly string[], key: string, on: boolean): string[] {
  const rest = columns.filter((k) => k !== key);
  return on ? [...rest, key] : rest;
}

/** The columns moved: `key` one place earlier (-1) or later (+1). */
export function moveColumn(columns: readonly string[], key: string, by: -1 | 1): string[] {
  const i = columns.indexOf(key);
  const j = i + by;
  if (i < 0 || j < 0 || j >= columns.length) return [...columns];
  const next = [...columns];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

/** The field a column sorts by (none for tags, the bracket and the rank). */
export function sortFieldOf(column: string, scoreField: string, fields: readonly FieldInfo[] | undefined): string | null {
  if (column === NAME) return 'first_name';
  if (column === SCORE) return scoreField;
  if (column === BRACKET || column === RANK) return null;
  const f = fields?.find((x) => x.key === column);
  return f && f.type !== 'tags' ? f.key : null;
}

/** Fields that read as scores: the models' fields first, then number fields named "…score…". */
export function scoreLikeFields(fields: readonly FieldInfo[] | undefined, modelFields: readonly string[]): string[] {
  const named = (fields ?? []).filter((f) => f.type === 'number' && /score/i.test(`${f.key} ${f.label}`)).map((f) => f.key);
  return [...new Set([...modelFields, ...named])];
}
