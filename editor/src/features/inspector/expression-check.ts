import { compileExpression, type ValueType } from '../../../../engine/expression/index.js';
import type { FieldRegistry, FieldType } from '../../../../engine/schema/field.js';
import { describeType } from '../../../../engine/expression/types.js';

/** What the expression input says about its text as it is typed. */
export type ExpressionCheck =
  | { readonly ok: true; readonly type: ValueType; readonly words: string }
  | { readonly ok: false; readonly message: string; readonly position: number | null };

/**
 * Compiles the text as the engine will on save, and checks the result fits the field it is written
 * to — the same rule validation applies: a text field takes anything, others need their own type.
 */
export function checkExpression(source: string, fields: FieldRegistry, target?: FieldType, targetLabel?: string): ExpressionCheck {
  const r = compileExpression(source, fields);
  if (!r.ok) return { ok: false, message: r.error.message, position: source.trim() === '' ? null : r.error.position };
  if (target && target !== 'text' && target !== 'tags' && r.type !== target) {
    return {
      ok: false,
      message: `This gives ${describeType(r.type)}, but ${targetLabel ?? 'the field'} needs ${describeType(target)}`,
      position: null,
    };
  }
  return { ok: true, type: r.type, words: `Gives ${describeType(r.type)}` };
}

/**
 * The text after inserting `[Label]` at the selection, and where the cursor goes next. A space goes
 * before it when it would otherwise touch an operator or a value (`+[Score]` reads badly).
 */
export function insertAt(text: string, start: number, end: number, insert: string): { text: string; cursor: number } {
  const s = Math.max(0, Math.min(start, text.length));
  const e = Math.max(s, Math.min(end, text.length));
  const before = text.slice(0, s);
  const piece = before === '' || /[\s(]$/.test(before) ? insert : ` ${insert}`;
  return { text: before + piece + text.slice(e), cursor: s + piece.length };
}

/** How a field is written in an expression: `[Label]`, or `[key]` when the label holds a "]" no reference can. */
export const fieldReference = (f: { readonly key: string; readonly label: string }) => `[${f.label.includes(']') ? f.key : f.label}]`;
