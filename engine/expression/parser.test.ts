import { describe, expect, it } from 'vitest';
import type { Expr } from './ast.js';
import { MAX_DEPTH } from './parser.js';
import { compiled, problem } from './testing.js';

/** The tree as an S-expression: `(+ 1 (* 2 3))`. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'number': case 'boolean': return String(e.value);
    case 'text': return JSON.stringify(e.value);
    case 'field': return e.key;
    case 'unary': return `(neg ${show(e.operand)})`;
    case 'binary': return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case 'call': return `(${[e.name, ...e.args.map(show)].join(' ')})`;
  }
}
const tree = (source: string) => show(compiled(source).expr);

describe('precedence and associativity', () => {
  it('multiplies before adding', () => {
    expect(tree('1 + 2 * 3')).toBe('(+ 1 (* 2 3))');
    expect(tree('1 * 2 + 3')).toBe('(+ (* 1 2) 3)');
    expect(tree('1 - 6 / 2 % 4')).toBe('(- 1 (% (/ 6 2) 4))');
  });

  it('groups operators of one level from the left', () => {
    expect(tree('10 - 4 - 3')).toBe('(- (- 10 4) 3)');
    expect(tree('8 / 4 / 2')).toBe('(/ (/ 8 4) 2)');
    expect(tree('1 + 2 - 3 + 4')).toBe('(+ (- (+ 1 2) 3) 4)');
  });

  it('binds unary minus tighter than anything', () => {
    expect(tree('-2 * 3')).toBe('(* (neg 2) 3)');
    expect(tree('2 * -3')).toBe('(* 2 (neg 3))');
    expect(tree('- -5')).toBe('(neg (neg 5))');
    expect(tree('--5 - -1')).toBe('(- (neg (neg 5)) (neg 1))');
  });

  it('lets parentheses override', () => {
    expect(tree('(1 + 2) * 3')).toBe('(* (+ 1 2) 3)');
    expect(tree('-(1 + 2)')).toBe('(neg (+ 1 2))');
    expect(tree('10 - (4 - 3)')).toBe('(- 10 (- 4 3))');
    expect(tree('((((7))))')).toBe('7');
  });

  it('reads literals, booleans and function calls', () => {
    expect(tree('"a" + true + FALSE')).toBe('(+ (+ "a" true) false)');
    expect(tree('clamp([score] + 5, 0, max(100, [company_size]))')).toBe('(clamp (+ score 5) 0 (max 100 company_size))');
  });

  it('records positions: operators, function names, brackets, literals', () => {
    const e = compiled('1 + round([score], 2)').expr;
    expect(e).toMatchObject({ kind: 'binary', pos: 2, left: { pos: 0 }, right: { kind: 'call', pos: 4, args: [{ pos: 10 }, { pos: 19 }] } });
  });

  it('builds an immutable tree', () => {
    const e = compiled('min(1, -[score])').expr;
    expect(Object.isFrozen(e)).toBe(true);
    if (e.kind !== 'call') throw new Error('expected a call');
    expect(Object.isFrozen(e.args)).toBe(true);
    expect(Object.isFrozen(e.args[1])).toBe(true);
  });
});

describe('field references', () => {
  it('resolves a key or a label, ignoring the label\'s case and surrounding spaces', () => {
    for (const ref of ['[custom_lead_score]', '[Custom Lead Score]', '[custom lead score ]', '[  CUSTOM LEAD score]', '[ custom_lead_score ]']) {
      expect(compiled(ref).expr).toMatchObject({ kind: 'field', key: 'custom_lead_score', source: ref, type: 'number' });
    }
  });

  it('gives each reference its field\'s type', () => {
    expect(compiled('[Company]').type).toBe('text');
    expect(compiled('[Created]').type).toBe('date');
    expect(compiled('[partner]').type).toBe('boolean');
  });

  it('lists the keys read, once each, in order of first use', () => {
    expect(compiled('[Score] + [custom lead score] - [score] + days_since([Last activity])').fields).toEqual([
      'score', 'custom_lead_score', 'last_activity_at',
    ]);
    expect(compiled('1 + 2').fields).toEqual([]);
  });

  it('points at an unknown field', () => {
    expect(problem('1 + [Foo]')).toEqual({ message: 'Unknown field [Foo] at character 5', position: 4 });
    expect(problem('[Sco re]').position).toBe(0);
  });

  it('refuses an empty reference', () => {
    expect(problem('2 * [  ]')).toMatchObject({ position: 4, message: expect.stringContaining('is empty') });
  });

  it('refuses the tags field, which has no single value', () => {
    expect(problem('1 + [Tags]')).toMatchObject({ position: 4, message: expect.stringMatching(/^The field \[Tags\] at character 5 holds tags/) });
  });
});

describe('the parser never reaches JavaScript objects', () => {
  it('treats names of Object.prototype members as unknown fields', () => {
    for (const ref of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype', 'valueOf']) {
      expect(problem(`[${ref}]`)).toEqual({ message: `Unknown field [${ref}] at character 1`, position: 0 });
    }
  });

  it('treats them as unknown functions and unknown names too', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'eval', 'Function', 'process']) {
      expect(problem(`${name}(1)`).message).toMatch(new RegExp(`^Unknown function "${name}" at character 1`));
      expect(problem(`1 + ${name}`).message).toMatch(new RegExp(`^Unknown name "${name}" at character 5`));
    }
  });
});

describe('functions', () => {
  it.each([
    ['min(3)', 'number'], ['min(3, 1, 2)', 'number'], ['max(1)', 'number'], ['max(1, 2, 3, 4)', 'number'],
    ['clamp(5, 0, 10)', 'number'], ['round(1.5)', 'number'], ['round(1.25, 1)', 'number'],
    ['floor(1.5)', 'number'], ['ceil(1.5)', 'number'], ['abs(-1)', 'number'],
    ['now()', 'date'], ['days_since([Created])', 'number'], ['ROUND(Abs(-1))', 'number'],
  ])('%s compiles to a %s', (source, type) => {
    expect(compiled(source).type).toBe(type);
  });

  it.each([
    ['min()', 'min takes at least 1 value, as in min(a, b, …), but was given 0 at character 1'],
    ['max()', 'max takes at least 1 value, as in max(a, b, …), but was given 0 at character 1'],
    ['clamp(1, 2)', 'clamp takes 3 values, as in clamp(x, lo, hi), but was given 2 at character 1'],
    ['clamp(1, 2, 3, 4)', 'clamp takes 3 values, as in clamp(x, lo, hi), but was given 4 at character 1'],
    ['round()', 'round takes 1 or 2 values, as in round(x, decimals), but was given 0 at character 1'],
    ['round(1, 2, 3)', 'round takes 1 or 2 values, as in round(x, decimals), but was given 3 at character 1'],
    ['floor()', 'floor takes 1 value, as in floor(x), but was given 0 at character 1'],
    ['floor(1, 2)', 'floor takes 1 value, as in floor(x), but was given 2 at character 1'],
    ['ceil(1, 2)', 'ceil takes 1 value, as in ceil(x), but was given 2 at character 1'],
    ['abs()', 'abs takes 1 value, as in abs(x), but was given 0 at character 1'],
    ['now(1)', 'now takes no values, as in now(), but was given 1 at character 1'],
    ['days_since()', 'days_since takes 1 value, as in days_since([Last activity]), but was given 0 at character 1'],
    ['days_since([Created], [Created])', 'days_since takes 1 value, as in days_since([Last activity]), but was given 2 at character 1'],
  ])('%s is refused: %s', (source, message) => {
    expect(problem(source)).toEqual({ message, position: 0 });
  });

  it('points an arity error at the function name', () => {
    expect(problem('1 + abs(1, 2)').position).toBe(4);
  });

  it('explains a function written without brackets', () => {
    expect(problem('now - 1')).toEqual({ message: '"now" at character 1 is a function: write it with brackets, as in now()', position: 0 });
  });

  it('explains a bare name: fields go in brackets', () => {
    expect(problem('score + 1').message).toBe('Unknown name "score" at character 1 — to use a field, put it in square brackets, like [score]');
  });
});

describe('syntax errors', () => {
  it.each([
    ['', 'The expression is empty: write a value, like 0 or [Score], at character 1', 0],
    ['   ', 'The expression is empty: write a value, like 0 or [Score], at character 1', 0],
    ['[Custom Lead Score] +', 'Expected a value after "+" at character 21', 20],
    ['2 *', 'Expected a value after "*" at character 3', 2],
    ['-', 'Expected a value after "-" at character 1', 0],
    ['1 + * 2', 'Expected a value at character 5, but found "*"', 4],
    ['()', 'Expected a value at character 2, but found ")"', 1],
    ['min(1,)', 'Expected a value at character 7, but found ")"', 6],
    ['min(1 2)', 'Expected "," or ")" at character 7, but found "2"', 6],
    ['min(1', 'The "(" at character 4 is never closed: add ")"', 3],
    ['(1 + 2', 'The "(" at character 1 is never closed: add ")"', 0],
    ['(1 2)', 'Expected an operator or ")" at character 4, but found "2"', 3],
    ['1 + 2)', 'Unexpected ")" at character 6 — there is no "(" for it to close', 5],
    ['1 2', 'Unexpected "2" at character 3 — is an operator missing before it?', 2],
    ['[score] [score]', 'Unexpected "[score]" at character 9 — is an operator missing before it?', 8],
    ['+1', 'Expected a value at character 1, but found "+"', 0],
  ])('%j: %s', (source, message, position) => {
    expect(problem(source)).toEqual({ message, position });
  });
});

describe('limits on hostile input', () => {
  const nest = (n: number, open: string, close: string) => `${open.repeat(n)}1${close.repeat(n)}`;

  it('refuses 10,000 nested brackets with a message, not a stack overflow', () => {
    expect(problem(nest(10_000, '(', ')')).message).toContain('too long');
    expect(problem('('.repeat(10_000)).message).toContain('too long');
  });

  it(`accepts ${MAX_DEPTH} levels of nesting and refuses one more, pointing at it`, () => {
    expect(compiled(nest(MAX_DEPTH, '(', ')')).type).toBe('number');
    expect(problem(nest(MAX_DEPTH + 1, '(', ')'))).toEqual({
      message: 'The expression is nested too deeply at character 51: at most 50 levels of brackets, minus signs and function calls',
      position: MAX_DEPTH,
    });
  });

  it('counts minus signs and calls as nesting too', () => {
    expect(compiled(`${'-'.repeat(MAX_DEPTH)}1`).expr.kind).toBe('unary');
    expect(problem(`${'-'.repeat(MAX_DEPTH + 1)}1`).position).toBe(MAX_DEPTH);
    expect(problem(nest(MAX_DEPTH + 1, 'abs(', ')')).position).toBe(MAX_DEPTH * 4);
    expect(problem(nest(30, '-(', ')')).message).toContain('nested too deeply');
  });

  it('refuses more than 500 tokens', () => {
    expect(compiled(Array(250).fill('1').join('+')).type).toBe('number');
    expect(problem(Array(301).fill('1').join('+'))).toMatchObject({ position: 500, message: expect.stringContaining('at character 501') });
  });
});
