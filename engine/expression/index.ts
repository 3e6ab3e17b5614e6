/**
 * The expression language of update_field values (SPEC §2 "Expressions"): compile once when
 * a map is saved, evaluate many times as contacts run through it.
 */
import type { FieldRegistry } from '../schema/field.js';
import type { Expr, ValueType } from './ast.js';
import { parseExpression } from './parser.js';
import { ExpressionSyntaxError, type ExpressionProblem } from './problem.js';

export type { Expr, ValueType } from './ast.js';
export type { ExpressionProblem } from './problem.js';
export { EvaluationError, evaluateExpression, type EvalEnv, type ExpressionValue } from './evaluate.js';

/** The outcome of compiling: a type-checked tree with its type and the field keys it reads, or a problem. */
export type CompileResult =
  | { ok: true; expr: Expr; type: ValueType; fields: string[] }
  | { ok: false; error: ExpressionProblem };

/**
 * Tokenizes, parses and type-checks `source`, resolving `[field]` references by key or label
 * through `fields`. Never throws: every problem comes back as `{ ok: false, error }`.
 */
export function compileExpression(source: string, fields: FieldRegistry): CompileResult {
  // Maps arrive as JSON, so a caller past the type system may hand over something else.
  if (typeof source !== 'string') {
    return { ok: false, error: { message: 'The expression must be text, at character 1', position: 0 } };
  }
  try {
    const parsed = parseExpression(source, fields);
    return { ok: true, expr: parsed.expr, type: parsed.expr.type, fields: [...parsed.fields] };
  } catch (e) {
    if (e instanceof ExpressionSyntaxError) return { ok: false, error: e.toProblem() };
    // The contract is "never throws": a bug here must reach the user as a message, not crash a save.
    const detail = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { message: `The expression could not be read (${detail}) at character 1`, position: 0 } };
  }
}

const EXCERPT = 60;

/**
 * The problem as one line for a person, quoting the source right after "character N":
 * `Expected a value after "+" at character 21 of "[Custom Lead Score] +"`.
 * A long source is cut to the part around the problem.
 */
export function formatExpressionProblem(source: string, p: ExpressionProblem): string {
  const shown = `"${excerpt(source, p.position).replace(/\s/g, ' ')}"`;
  const marker = /at character \d+/;
  return marker.test(p.message) ? p.message.replace(marker, (m) => `${m} of ${shown}`) : `${p.message} (in ${shown})`;
}

function excerpt(source: string, position: number): string {
  if (source.length <= EXCERPT) return source;
  const start = Math.max(0, Math.min(position - EXCERPT / 2, source.length - EXCERPT));
  const end = start + EXCERPT;
  return `${start > 0 ? '…' : ''}${source.slice(start, end)}${end < source.length ? '…' : ''}`;
}
