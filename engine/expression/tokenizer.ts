import type { BinaryOp } from './ast.js';
import { ExpressionSyntaxError, at, quote } from './problem.js';

/** Longest source accepted: longer input is refused before any work is done on it. */
export const MAX_SOURCE_LENGTH = 2_000;
/** Most tokens accepted: bounds the size of the tree (and so the evaluator's recursion). */
export const MAX_TOKENS = 500;

/** One lexical unit. `pos` is its 0-based start; `text` is the source slice it came from. */
export type Token =
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly pos: number }
  | { readonly kind: 'text'; readonly value: string; readonly text: string; readonly pos: number }
  /** `ref` is what stands between the brackets, untrimmed. */
  | { readonly kind: 'field'; readonly ref: string; readonly text: string; readonly pos: number }
  | { readonly kind: 'ident'; readonly text: string; readonly pos: number }
  | { readonly kind: 'op'; readonly text: BinaryOp; readonly pos: number }
  | { readonly kind: '(' | ')' | ','; readonly text: string; readonly pos: number }
  | { readonly kind: 'eof'; readonly text: ''; readonly pos: number };

const DIGIT = /[0-9]/;
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const WHITESPACE = /\s/;

// Characters people coming from spreadsheets or other tools tend to type, with what to do instead.
const HINTS: ReadonlyMap<string, string> = new Map([
  ['=', 'an expression computes a value; comparisons belong in a condition'],
  ['<', 'an expression computes a value; comparisons belong in a condition'],
  ['>', 'an expression computes a value; comparisons belong in a condition'],
  ['!', 'an expression computes a value; comparisons belong in a condition'],
  ["'", 'put text in double quotes, like "hot lead"'],
  [']', 'there is no "[" before it'],
  ['.', 'write decimals with a digit after the point, like 0.5 or .5'],
]);

/**
 * Splits an expression into tokens, ending with an `eof` token at `source.length`.
 * Throws ExpressionSyntaxError for an unknown character, an unclosed `"…"` or `[…]`,
 * or input over the size limits.
 */
export function tokenize(source: string): Token[] {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new ExpressionSyntaxError(
      `The expression is too long: ${source.length} characters, at most ${MAX_SOURCE_LENGTH} are allowed; ` +
        `it goes past the limit ${at(MAX_SOURCE_LENGTH)}`,
      MAX_SOURCE_LENGTH,
    );
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (WHITESPACE.test(c)) {
      i++;
      continue;
    }
    if (tokens.length === MAX_TOKENS) {
      throw new ExpressionSyntaxError(
        `The expression is too long: more than ${MAX_TOKENS} numbers, names, operators and brackets; ` +
          `the limit is reached ${at(i)}`,
        i,
      );
    }
    const start = i;
    if (DIGIT.test(c) || (c === '.' && DIGIT.test(source[i + 1] ?? ''))) {
      i = readNumber(source, i);
      const text = source.slice(start, i);
      const value = Number(text);
      // Only a few hundred digits reach Infinity, but a number that is not finite must never enter the tree.
      if (!Number.isFinite(value)) throw new ExpressionSyntaxError(`The number ${at(start)} is too large`, start);
      tokens.push({ kind: 'number', value, text, pos: start });
    } else if (c === '"') {
      const { value, end } = readText(source, i);
      i = end;
      tokens.push({ kind: 'text', value, text: source.slice(start, i), pos: start });
    } else if (c === '[') {
      const close = source.indexOf(']', i + 1);
      if (close < 0) {
        throw new ExpressionSyntaxError(`The field reference "[" ${at(start)} is never closed: add "]" after the field's name`, start);
      }
      i = close + 1;
      tokens.push({ kind: 'field', ref: source.slice(start + 1, close), text: source.slice(start, i), pos: start });
    } else if (IDENT_START.test(c)) {
      while (i < source.length && IDENT_PART.test(source[i])) i++;
      tokens.push({ kind: 'ident', text: source.slice(start, i), pos: start });
    } else if (c === '+' || c === '-' || c === '*' || c === '/' || c === '%') {
      i++;
      tokens.push({ kind: 'op', text: c, pos: start });
    } else if (c === '(' || c === ')' || c === ',') {
      i++;
      tokens.push({ kind: c, text: c, pos: start });
    } else {
      // Show a whole emoji or other astral character rather than half a surrogate pair.
      const shown = String.fromCodePoint(source.codePointAt(i) ?? 0);
      const hint = HINTS.get(c);
      throw new ExpressionSyntaxError(`Unexpected character ${quote(shown)} ${at(start)}${hint ? ` — ${hint}` : ''}`, start);
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: source.length });
  return tokens;
}

/** Reads `12`, `3.5` or `.5` starting at `i`; returns the index after it. */
function readNumber(source: string, i: number): number {
  while (i < source.length && DIGIT.test(source[i])) i++;
  if (source[i] === '.') {
    if (!DIGIT.test(source[i + 1] ?? '')) {
      throw new ExpressionSyntaxError(`The number ${at(i)} ends with "." — add a digit after the point, like 1.0`, i);
    }
    i++;
    while (i < source.length && DIGIT.test(source[i])) i++;
  }
  return i;
}

/** Reads a `"…"` literal whose opening quote is at `start`; only `\"` and `\\` are escapes. */
function readText(source: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const c = source[i];
    if (c === '"') return { value, end: i + 1 };
    if (c === '\\') {
      const next = source[i + 1];
      if (next !== '"' && next !== '\\') {
        // Refusing unknown escapes keeps `\n` from silently meaning a backslash and an "n".
        throw new ExpressionSyntaxError(
          `Unknown escape ${quote(`\\${next ?? ''}`)} ${at(i)} — inside text, write \\" for a quote and \\\\ for a backslash`,
          i,
        );
      }
      value += next;
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  throw new ExpressionSyntaxError(`The text starting ${at(start)} is never closed: add a closing "`, start);
}
