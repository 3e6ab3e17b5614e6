/**
 * Message templates: free text with field references written as in expressions, `[First name]` or
 * `[first_name]` (SPEC §10 "The seventh element"). A reference resolves as an expression's does — a
 * key, or a label ignoring case and surrounding spaces — and an unknown one is a problem that points
 * at its character. `[[` writes a "[" itself.
 */
import type { FieldValue } from '../elements/types.js';
import type { FieldDef, FieldRegistry } from '../schema/field.js';
import { at, shorten, type ExpressionProblem } from './problem.js';

/** Longest template accepted, as for expressions. */
export const MAX_TEMPLATE_LENGTH = 2_000;

/** A piece of a template: text as written, or a field to fill in. */
export type TemplatePart =
  | { readonly text: string }
  | { readonly field: FieldDef; readonly source: string; readonly pos: number };

export type TemplateResult =
  | { readonly ok: true; readonly parts: readonly TemplatePart[]; readonly fields: readonly string[] }
  | { readonly ok: false; readonly error: ExpressionProblem };

/** Splits `source` into text and field references resolved through `fields`. Never throws. */
export function parseTemplate(source: string, fields: FieldRegistry): TemplateResult {
  if (typeof source !== 'string') return { ok: false, error: { message: 'The message must be text, at character 1', position: 0 } };
  if (source.length > MAX_TEMPLATE_LENGTH) {
    return {
      ok: false,
      error: { message: `The message is too long: ${source.length} characters, at most ${MAX_TEMPLATE_LENGTH} are allowed`, position: MAX_TEMPLATE_LENGTH },
    };
  }
  const parts: TemplatePart[] = [];
  const keys = new Set<string>();
  let text = '';
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('[', i);
    if (open < 0) {
      text += source.slice(i);
      break;
    }
    text += source.slice(i, open);
    if (source[open + 1] === '[') {
      text += '[';
      i = open + 2;
      continue;
    }
    const close = source.indexOf(']', open + 1);
    if (close < 0) {
      return fail(`The field reference "[" ${at(open)} is never closed: add "]" after the field's name, or write "[[" for a "[" itself`, open);
    }
    const written = source.slice(open, close + 1);
    const ref = source.slice(open + 1, close);
    if (ref.trim() === '') return fail(`The field reference "${written}" ${at(open)} is empty: write a field's name or key between the brackets`, open);
    const field = fields.resolve(ref);
    if (!field) {
      return fail(`Unknown field ${shorten(written, 60)} ${at(open)} — pick one with "Insert field", or write "[[" for a "[" itself`, open);
    }
    if (text) parts.push({ text });
    text = '';
    parts.push({ field, source: written, pos: open });
    keys.add(field.key);
    i = close + 1;
  }
  if (text) parts.push({ text });
  return { ok: true, parts, fields: [...keys] };
}

const fail = (message: string, position: number): TemplateResult => ({ ok: false, error: { message, position } });

/** Fills a parsed template in with a contact's values (`read` takes a field key). */
export function renderTemplate(parts: readonly TemplatePart[], read: (key: string) => FieldValue): string {
  return parts.map((p) => ('text' in p ? p.text : showValue(p.field, read(p.field.key)))).join('');
}

/**
 * A field's value as a message shows it: numbers as stored (already rounded to the field's
 * decimals), dates as ISO-8601 in UTC, yes/no fields as "yes" or "no", tags joined by commas, and an
 * empty field as nothing.
 */
export function showValue(field: Pick<FieldDef, 'type'>, v: FieldValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join(', ');
  if (field.type === 'date' && typeof v === 'number') return Math.abs(v) <= 8.64e15 ? new Date(v).toISOString() : '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}
