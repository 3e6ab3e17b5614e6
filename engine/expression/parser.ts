/**
 * A recursive-descent parser for the expression language:
 *
 *   sum     := product (("+" | "-") product)*
 *   product := unary (("*" | "/" | "%") unary)*
 *   unary   := "-" unary | primary
 *   primary := number | text | "true" | "false" | [field] | name "(" args? ")" | "(" sum ")"
 *
 * Binary chains are loops, not recursion, so only brackets, minus signs and calls nest —
 * and those are counted, so hostile input gets a message instead of a stack overflow.
 */
import type { FieldRegistry } from '../schema/field.js';
import type { BinaryOp, Expr, FunctionName } from './ast.js';
import { ExpressionSyntaxError, at, quote, shorten } from './problem.js';
import { tokenize, type Token } from './tokenizer.js';
import { FUNCTIONS, binaryType, callType, lookupFunction, unaryType } from './types.js';

/** How deeply brackets, minus signs and function calls may nest. */
export const MAX_DEPTH = 50;

/** A parsed, type-checked expression and the keys of the fields it reads, in order of first use. */
export interface ParseResult {
  readonly expr: Expr;
  readonly fields: readonly string[];
}

/**
 * Tokenizes, parses and type-checks `source`, resolving field references through `registry`.
 * Throws ExpressionSyntaxError with a message and a 0-based position.
 */
export function parseExpression(source: string, registry: FieldRegistry): ParseResult {
  const parser = new Parser(tokenize(source), registry);
  const expr = parser.parseSum();
  parser.expectEnd();
  return { expr, fields: [...parser.fields] };
}

class Parser {
  readonly fields = new Set<string>();
  readonly #tokens: readonly Token[];
  readonly #registry: FieldRegistry;
  #i = 0;
  #depth = 0;

  constructor(tokens: readonly Token[], registry: FieldRegistry) {
    this.#tokens = tokens;
    this.#registry = registry;
  }

  parseSum(): Expr {
    let left = this.parseProduct();
    for (let t = this.#peek(); t.kind === 'op' && (t.text === '+' || t.text === '-'); t = this.#peek()) {
      this.#i++;
      left = binary(t.text, left, this.parseProduct(), t.pos);
    }
    return left;
  }

  parseProduct(): Expr {
    let left = this.parseUnary();
    for (let t = this.#peek(); t.kind === 'op' && (t.text === '*' || t.text === '/' || t.text === '%'); t = this.#peek()) {
      this.#i++;
      left = binary(t.text, left, this.parseUnary(), t.pos);
    }
    return left;
  }

  parseUnary(): Expr {
    const t = this.#peek();
    if (t.kind !== 'op' || t.text !== '-') return this.parsePrimary();
    this.#i++;
    this.#enter(t.pos);
    const operand = this.parseUnary();
    this.#depth--;
    return freeze({ kind: 'unary', op: '-', operand, pos: t.pos, type: unaryType(operand.type, t.pos) });
  }

  parsePrimary(): Expr {
    const t = this.#next();
    switch (t.kind) {
      case 'number':
        return freeze({ kind: 'number', value: t.value, pos: t.pos, type: 'number' });
      case 'text':
        return freeze({ kind: 'text', value: t.value, pos: t.pos, type: 'text' });
      case 'field':
        return this.#field(t.ref, t.text, t.pos);
      case 'ident':
        return this.#peek().kind === '(' ? this.#call(t.text, t.pos) : this.#name(t.text, t.pos);
      case '(': {
        this.#enter(t.pos);
        const inner = this.parseSum();
        this.#depth--;
        this.#close(t.pos, 'an operator or ")"');
        return inner;
      }
      default:
        throw this.#expectedValue(t);
    }
  }

  /** Refuses anything after a complete expression. */
  expectEnd(): void {
    const t = this.#peek();
    if (t.kind === 'eof') return;
    if (t.kind === ')') {
      throw new ExpressionSyntaxError(`Unexpected ")" ${at(t.pos)} — there is no "(" for it to close`, t.pos);
    }
    throw new ExpressionSyntaxError(`Unexpected ${quote(t.text)} ${at(t.pos)} — is an operator missing before it?`, t.pos);
  }

  #field(ref: string, text: string, pos: number): Expr {
    if (ref.trim() === '') {
      throw new ExpressionSyntaxError(`The field reference ${quote(text)} ${at(pos)} is empty: write a field's name or key between the brackets`, pos);
    }
    const def = this.#registry.resolve(ref);
    if (!def) throw new ExpressionSyntaxError(`Unknown field ${shorten(text, 60)} ${at(pos)}`, pos);
    if (def.type === 'tags') {
      // A tag set has no single value to compute with; conditions test it with has_tag.
      throw new ExpressionSyntaxError(
        `The field ${shorten(text, 60)} ${at(pos)} holds tags, which an expression cannot use — test tags in a condition with has_tag`,
        pos,
      );
    }
    this.fields.add(def.key);
    return freeze({ kind: 'field', key: def.key, source: text, pos, type: def.type });
  }

  #call(written: string, pos: number): Expr {
    const name: FunctionName | undefined = lookupFunction(written);
    if (!name) {
      throw new ExpressionSyntaxError(
        `Unknown function ${quote(written)} ${at(pos)} — the functions are ${[...FUNCTIONS.keys()].join(', ')}`,
        pos,
      );
    }
    this.#enter(pos);
    const open = this.#next();
    const args: Expr[] = [];
    const argStarts: number[] = [];
    if (this.#peek().kind === ')') {
      this.#i++;
    } else {
      for (;;) {
        argStarts.push(this.#peek().pos);
        args.push(this.parseSum());
        if (this.#peek().kind !== ',') break;
        this.#i++;
      }
      this.#close(open.pos, '"," or ")"');
    }
    this.#depth--;
    const type = callType(name, args, pos, argStarts);
    return freeze({ kind: 'call', name, args: Object.freeze(args), pos, type });
  }

  /** A bare name: `true`, `false`, or a mistake worth explaining. */
  #name(written: string, pos: number): Expr {
    const lower = written.toLowerCase();
    if (lower === 'true' || lower === 'false') {
      return freeze({ kind: 'boolean', value: lower === 'true', pos, type: 'boolean' });
    }
    const fn = lookupFunction(written);
    if (fn) {
      throw new ExpressionSyntaxError(`"${written}" ${at(pos)} is a function: write it with brackets, as in ${FUNCTIONS.get(fn)?.usage}`, pos);
    }
    throw new ExpressionSyntaxError(
      `Unknown name ${quote(written)} ${at(pos)} — to use a field, put it in square brackets, like [${written}]`,
      pos,
    );
  }

  /** Consumes the `)` matching the `(` at `openPos`. */
  #close(openPos: number, expected: string): void {
    const t = this.#next();
    if (t.kind === ')') return;
    if (t.kind === 'eof') {
      throw new ExpressionSyntaxError(`The "(" ${at(openPos)} is never closed: add ")"`, openPos);
    }
    throw new ExpressionSyntaxError(`Expected ${expected} ${at(t.pos)}, but found ${quote(t.text)}`, t.pos);
  }

  #expectedValue(t: Token): ExpressionSyntaxError {
    if (t.kind !== 'eof') {
      return new ExpressionSyntaxError(`Expected a value ${at(t.pos)}, but found ${quote(t.text)}`, t.pos);
    }
    // #next never steps past eof, so the token before it is the last one written.
    const prev = this.#tokens[this.#i - 1];
    if (!prev) {
      return new ExpressionSyntaxError(`The expression is empty: write a value, like 0 or [Score], ${at(0)}`, 0);
    }
    return new ExpressionSyntaxError(`Expected a value after ${quote(prev.text)} ${at(prev.pos)}`, prev.pos);
  }

  #enter(pos: number): void {
    if (++this.#depth > MAX_DEPTH) {
      throw new ExpressionSyntaxError(
        `The expression is nested too deeply ${at(pos)}: at most ${MAX_DEPTH} levels of brackets, minus signs and function calls`,
        pos,
      );
    }
  }

  #peek(): Token {
    return this.#tokens[this.#i];
  }

  #next(): Token {
    const t = this.#tokens[this.#i];
    // The eof token is never consumed, so peeking past it stays safe.
    if (t.kind !== 'eof') this.#i++;
    return t;
  }
}

function binary(op: BinaryOp, left: Expr, right: Expr, pos: number): Expr {
  return freeze({ kind: 'binary', op, left, right, pos, type: binaryType(op, left.type, right.type, pos) });
}

function freeze<T extends Expr>(node: T): T {
  return Object.freeze(node);
}
