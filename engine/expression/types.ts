/**
 * The static type rules. The parser applies them as it builds each node, so every node
 * carries its type and an ill-typed expression never becomes a tree at all.
 */
import type { BinaryOp, Expr, FunctionName, ValueType } from './ast.js';
import { ExpressionSyntaxError, at } from './problem.js';

/** What a function accepts and returns. Every argument of a function has the same type. */
export interface FunctionSignature {
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly argType: ValueType;
  readonly returns: ValueType;
  /** How a person writes it, for messages and the editor. */
  readonly usage: string;
}

const math = (minArgs: number, maxArgs: number, usage: string): FunctionSignature => ({
  minArgs, maxArgs, argType: 'number', returns: 'number', usage,
});

/**
 * The functions by name. A Map, not an object literal: looking up `constructor` or
 * `__proto__` in an object would find Object.prototype's members.
 */
export const FUNCTIONS: ReadonlyMap<FunctionName, FunctionSignature> = new Map<FunctionName, FunctionSignature>([
  ['min', math(1, Infinity, 'min(a, b, …)')],
  ['max', math(1, Infinity, 'max(a, b, …)')],
  ['clamp', math(3, 3, 'clamp(x, lo, hi)')],
  ['round', math(1, 2, 'round(x, decimals)')],
  ['floor', math(1, 1, 'floor(x)')],
  ['ceil', math(1, 1, 'ceil(x)')],
  ['abs', math(1, 1, 'abs(x)')],
  ['now', { minArgs: 0, maxArgs: 0, argType: 'date', returns: 'date', usage: 'now()' }],
  ['days_since', { minArgs: 1, maxArgs: 1, argType: 'date', returns: 'number', usage: 'days_since([Last activity])' }],
]);

/** Narrows a name as written (any case) to a known function, or undefined. */
export function lookupFunction(name: string): FunctionName | undefined {
  const lower = name.toLowerCase();
  return (FUNCTIONS as ReadonlyMap<string, FunctionSignature>).has(lower) ? (lower as FunctionName) : undefined;
}

/** "a number", "text", "a date", "a true/false value": how a message names a type. */
export function describeType(t: ValueType): string {
  switch (t) {
    case 'number': return 'a number';
    case 'text': return 'text';
    case 'date': return 'a date';
    case 'boolean': return 'a true/false value';
  }
}

/** The type of `-operand`; only numbers can be negated. */
export function unaryType(operand: ValueType, pos: number): ValueType {
  if (operand === 'number') return 'number';
  throw new ExpressionSyntaxError(`Cannot put a minus sign before ${describeType(operand)} ${at(pos)}`, pos);
}

/**
 * The type of `left op right`: numbers do arithmetic; `+` with text on either side
 * concatenates; a date moves by a number of milliseconds, and two dates subtract to the
 * milliseconds between them. Anything else is refused, pointing at the operator.
 */
export function binaryType(op: BinaryOp, left: ValueType, right: ValueType, pos: number): ValueType {
  if (left === 'number' && right === 'number') return 'number';
  if (op === '+') {
    if (left === 'text' || right === 'text') return 'text';
    if ((left === 'date' && right === 'number') || (left === 'number' && right === 'date')) return 'date';
  }
  if (op === '-' && left === 'date') {
    if (right === 'number') return 'date';
    if (right === 'date') return 'number';
  }
  const l = describeType(left);
  const r = describeType(right);
  const what = {
    '+': `Cannot add ${r} to ${l}`,
    '-': `Cannot subtract ${r} from ${l}`,
    '*': `Cannot multiply ${l} by ${r}`,
    '/': `Cannot divide ${l} by ${r}`,
    '%': `Cannot take the remainder of ${l} divided by ${r}`,
  }[op];
  throw new ExpressionSyntaxError(`${what} ${at(pos)}`, pos);
}

/**
 * The type of a call, after checking the number and types of its arguments.
 * `pos` is the function name's position, `argStarts` where each argument begins.
 */
export function callType(
  name: FunctionName,
  args: readonly Expr[],
  pos: number,
  argStarts: readonly number[],
): ValueType {
  const sig = FUNCTIONS.get(name);
  if (!sig) throw new ExpressionSyntaxError(`Unknown function "${name}" ${at(pos)}`, pos);
  if (args.length < sig.minArgs || args.length > sig.maxArgs) {
    throw new ExpressionSyntaxError(
      `${name} takes ${arity(sig)}, as in ${sig.usage}, but was given ${args.length} ${at(pos)}`,
      pos,
    );
  }
  args.forEach((arg, i) => {
    if (arg.type !== sig.argType) {
      throw new ExpressionSyntaxError(
        `${name} needs ${describeType(sig.argType)}, as in ${sig.usage}, but was given ${describeType(arg.type)} ${at(argStarts[i])}`,
        argStarts[i],
      );
    }
  });
  return sig.returns;
}

function arity({ minArgs, maxArgs }: FunctionSignature): string {
  const values = (n: number) => (n === 1 ? '1 value' : `${n} values`);
  if (maxArgs === 0) return 'no values';
  if (maxArgs === Infinity) return `at least ${values(minArgs)}`;
  if (minArgs === maxArgs) return values(minArgs);
  return `${minArgs} or ${values(maxArgs)}`;
}
