/**
 * Evaluates a compiled expression by walking its tree — never `eval`, never `new Function`,
 * never a property lookup on a JS object: the only thing read by name is `env.get(key)`,
 * with keys the parser resolved through the field registry.
 */
import { roundHalfAwayFromZero } from '../schema/field.js';
import type { BinaryNode, CallNode, Expr, FieldNode } from './ast.js';
import { at } from './problem.js';

/** What an expression can see: the time and the contact's fields. */
export interface EvalEnv {
  /** The moment of evaluation, UTC epoch milliseconds; `now()` and `days_since` read it. */
  readonly now: number;
  /** A field's stored value by key; null or undefined when the field is empty. */
  get(key: string): number | string | boolean | null | undefined;
}

/** A value an expression computes: a number, text, a boolean, or a date (epoch ms; null when empty). */
export type ExpressionValue = number | string | boolean | null;

/** A problem met while evaluating (division by zero, an empty date…), worded for a person. */
export class EvaluationError extends Error {
  /** 0-based index in the source of the part that failed. */
  readonly position: number;

  constructor(message: string, position = 0) {
    super(message);
    this.name = 'EvaluationError';
    this.position = position;
  }
}

const MS_PER_DAY = 86_400_000;
// The largest time a JS Date can hold; beyond it a date cannot be shown as ISO-8601.
const MAX_DATE_MS = 8.64e15;
const MAX_ROUND_DECIMALS = 10;

/**
 * Computes the value of `expr` for `env`. Empty fields read as 0 (number), "" (text),
 * false (boolean) or null (date). Throws EvaluationError when the value cannot be computed.
 */
export function evaluateExpression(expr: Expr, env: EvalEnv): ExpressionValue {
  return evaluate(expr, env);
}

function evaluate(node: Expr, env: EvalEnv): ExpressionValue {
  switch (node.kind) {
    case 'number':
    case 'text':
    case 'boolean':
      return node.value;
    case 'field':
      return readField(node, env);
    case 'unary':
      return checked(-num(node.operand, env), node.pos);
    case 'binary':
      return binary(node, env);
    case 'call':
      return call(node, env);
    default:
      return unknown(node, (node as { pos?: number }).pos ?? 0);
  }
}

function binary(node: BinaryNode, env: EvalEnv): ExpressionValue {
  const { op, left, right, pos } = node;
  // The node's static type says which rule applies: at runtime a date is just a number.
  if (op === '+' && node.type === 'text') return text(left, env) + text(right, env);
  if (op === '+' && node.type === 'date') {
    return left.type === 'date'
      ? checkedDate(date(left, env) + num(right, env), pos)
      : checkedDate(num(left, env) + date(right, env), pos);
  }
  if (op === '-' && left.type === 'date') {
    const from = date(left, env);
    return right.type === 'date' ? checked(from - date(right, env), pos) : checkedDate(from - num(right, env), pos);
  }
  const a = num(left, env);
  const b = num(right, env);
  switch (op) {
    case '+': return checked(a + b, pos);
    case '-': return checked(a - b, pos);
    case '*': return checked(a * b, pos);
    case '/':
    case '%':
      if (b === 0) throw new EvaluationError(`Division by zero ${at(pos)}`, pos);
      // `%` keeps JavaScript's sign rule: the remainder takes the sign of the left side.
      return checked(op === '/' ? a / b : a % b, pos);
  }
}

function call(node: CallNode, env: EvalEnv): ExpressionValue {
  const { args, pos } = node;
  switch (node.name) {
    case 'min': return Math.min(...args.map((a) => num(a, env)));
    case 'max': return Math.max(...args.map((a) => num(a, env)));
    case 'clamp': {
      const [x, lo, hi] = args.map((a) => num(a, env));
      if (lo > hi) {
        throw new EvaluationError(`clamp's lower limit ${lo} is above its upper limit ${hi} ${at(pos)}`, pos);
      }
      return Math.min(Math.max(x, lo), hi);
    }
    case 'round': {
      const x = num(args[0], env);
      // Fractional or out-of-range places are tolerated rather than refused: 2.7 places means 2.
      const d = args.length > 1 ? Math.trunc(Math.min(MAX_ROUND_DECIMALS, Math.max(0, num(args[1], env)))) : 0;
      const r = roundHalfAwayFromZero(x, d);
      // Scaling a huge number overflows; a number that large has no fraction left to round.
      return Number.isFinite(r) ? checked(r, pos) : x;
    }
    case 'floor': return checked(Math.floor(num(args[0], env)), pos);
    case 'ceil': return checked(Math.ceil(num(args[0], env)), pos);
    case 'abs': return Math.abs(num(args[0], env));
    case 'now': return checkedDate(now(env, pos), pos);
    case 'days_since': {
      const since = date(args[0], env, 'days_since cannot count the days since an empty date');
      return checked((now(env, pos) - since) / MS_PER_DAY, pos);
    }
    default:
      return unknown(node.name, pos);
  }
}

/** A hand-built tree may hold any kind or name; it is refused, never looked up on a JS object. */
function unknown(_: never, pos: number): never {
  throw new EvaluationError(`This expression contains something that cannot be evaluated ${at(pos)}`, pos);
}

function readField(node: FieldNode, env: EvalEnv): ExpressionValue {
  const v = env.get(node.key) ?? null;
  switch (node.type) {
    case 'number':
      if (v === null) return 0;
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      break;
    case 'text':
      if (v === null) return '';
      if (typeof v === 'string') return v;
      // Numbers and booleans read as text; anything else (a function an env found on Object.prototype) is no value.
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      break;
    case 'boolean':
      if (v === null) return false;
      if (typeof v === 'boolean') return v;
      break;
    case 'date': {
      if (v === null) return null;
      // Dates are stored as epoch ms; an ISO string is accepted too, as the API shows them.
      const ms = typeof v === 'string' ? Date.parse(v) : v;
      if (typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS) return ms;
      break;
    }
  }
  throw new EvaluationError(
    `The field ${node.source} ${at(node.pos)} holds ${JSON.stringify(v)}, which is not a ${node.type}`,
    node.pos,
  );
}

/** Evaluates a node the type checker proved to be a number. */
function num(node: Expr, env: EvalEnv): number {
  const v = evaluate(node, env);
  // Only a hand-built tree can fail this; a compiled one was type-checked.
  if (typeof v !== 'number') throw new EvaluationError(`Expected a number ${at(node.pos)}`, node.pos);
  return v;
}

/** Evaluates a date node that must have a value. */
function date(node: Expr, env: EvalEnv, doing = 'Cannot calculate with an empty date'): number {
  const v = evaluate(node, env);
  if (v === null) {
    const what = node.kind === 'field' ? `the field ${node.source}` : 'the date';
    throw new EvaluationError(`${doing}: ${what} ${at(node.pos)} has no value`, node.pos);
  }
  if (typeof v !== 'number') throw new EvaluationError(`Expected a date ${at(node.pos)}`, node.pos);
  return v;
}

/** Evaluates any node as text for concatenation; dates read as ISO-8601, as the API shows them. */
function text(node: Expr, env: EvalEnv): string {
  const v = evaluate(node, env);
  if (node.type === 'date') return v === null ? '' : new Date(v as number).toISOString();
  return String(v);
}

function now(env: EvalEnv, pos: number): number {
  if (!Number.isFinite(env.now)) throw new EvaluationError(`The clock gave no valid time for now() ${at(pos)}`, pos);
  return env.now;
}

/** Refuses NaN and Infinity, and turns -0 into 0 so it never shows up as a stored value. */
function checked(n: number, pos: number): number {
  if (Number.isNaN(n)) throw new EvaluationError(`The result ${at(pos)} is not a number`, pos);
  if (!Number.isFinite(n)) throw new EvaluationError(`The result ${at(pos)} is too large to compute`, pos);
  return n === 0 ? 0 : n;
}

/** Refuses a date a JS Date cannot hold (past the year 275760). */
function checkedDate(ms: number, pos: number): number {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) {
    throw new EvaluationError(`The date ${at(pos)} is out of range`, pos);
  }
  return ms === 0 ? 0 : ms;
}
