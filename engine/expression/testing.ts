/** Fixtures shared by this folder's tests: the built-in fields plus a few custom ones. */
import { BUILTIN_FIELDS, FieldRegistry } from '../schema/field.js';
import type { EvalEnv } from './evaluate.js';
import { compileExpression, evaluateExpression, type ExpressionProblem } from './index.js';

/** Built-ins plus a number, a text, a date and a boolean custom field. */
export const registry = new FieldRegistry([
  ...BUILTIN_FIELDS,
  { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 },
  { key: 'lead_source', label: 'Lead source', type: 'text' },
  { key: 'trial_ends_at', label: 'Trial ends', type: 'date' },
  { key: 'is_partner', label: 'Partner', type: 'boolean' },
]);

/** A fixed clock: 2025-01-31T12:00:00Z. */
export const NOW = Date.UTC(2025, 0, 31, 12);

/** Compiles `source`, failing the test if it does not compile. */
export function compiled(source: string) {
  const r = compileExpression(source, registry);
  if (!r.ok) throw new Error(`expected ${source} to compile, got: ${r.error.message}`);
  return r;
}

/** The problem compiling `source` reports, failing the test if it compiles. */
export function problem(source: string): ExpressionProblem {
  const r = compileExpression(source, registry);
  if (r.ok) throw new Error(`expected ${source} not to compile`);
  return r.error;
}

/** An environment over a plain record of field values. */
export function env(values: Record<string, number | string | boolean | null> = {}, now = NOW): EvalEnv {
  const map = new Map(Object.entries(values));
  return { now, get: (key) => map.get(key) };
}

/** Compiles and evaluates `source` against `values`. */
export function run(source: string, values: Record<string, number | string | boolean | null> = {}, now = NOW) {
  return evaluateExpression(compiled(source).expr, env(values, now));
}
