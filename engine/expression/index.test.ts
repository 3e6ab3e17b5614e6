import { describe, expect, it } from 'vitest';
import { FieldRegistry } from '../schema/field.js';
import { compileExpression, formatExpressionProblem } from './index.js';
import { registry } from './testing.js';

describe('compileExpression', () => {
  it('returns the tree, its type and the keys it reads', () => {
    const r = compileExpression('round([Custom Lead Score] * 0.97, 3)', registry);
    expect(r).toMatchObject({ ok: true, type: 'number', fields: ['custom_lead_score'], expr: { kind: 'call', name: 'round' } });
  });

  it('returns a problem with a 0-based position and a 1-based message', () => {
    expect(compileExpression('[score] +', registry)).toEqual({
      ok: false,
      error: { message: 'Expected a value after "+" at character 9', position: 8 },
    });
  });

  it('never throws, whatever it is given', () => {
    // A fixed pseudo-random walk over the language's pieces, so any failure reproduces.
    const pieces = ['1', '.5', '"a"', '"', '[score]', '[', ']', 'min', 'now', '(', ')', ',', '+', '-', '*', '/', '%', ' ', 'x', '@', '\\'];
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    for (let i = 0; i < 2_000; i++) {
      const source = Array.from({ length: 1 + rand(12) }, () => pieces[rand(pieces.length)]).join('');
      const r = compileExpression(source, registry);
      if (!r.ok) expect(r.error.message).toMatch(/at character \d+/);
    }
    expect(compileExpression(undefined as unknown as string, registry).ok).toBe(false);
  });

  it('turns an unexpected failure into a problem rather than throwing', () => {
    const broken = new FieldRegistry([]);
    broken.resolve = () => { throw new Error('store is down'); };
    expect(compileExpression('[score]', broken)).toEqual({
      ok: false,
      error: { message: 'The expression could not be read (store is down) at character 1', position: 0 },
    });
  });
});

describe('formatExpressionProblem', () => {
  it('quotes the source right after the character number', () => {
    const source = '[Custom Lead Score] +';
    const r = compileExpression(source, registry);
    if (r.ok) throw new Error('expected a problem');
    expect(formatExpressionProblem(source, r.error)).toBe('Expected a value after "+" at character 21 of "[Custom Lead Score] +"');
  });

  it('keeps a hint after the quoted source', () => {
    const source = 'score + 1';
    const r = compileExpression(source, registry);
    if (r.ok) throw new Error('expected a problem');
    expect(formatExpressionProblem(source, r.error)).toBe(
      'Unknown name "score" at character 1 of "score + 1" — to use a field, put it in square brackets, like [score]',
    );
  });

  it('shows only the part of a long source around the problem, on one line', () => {
    const source = `${'1 + '.repeat(40)}\n[Nope] + ${'2 + '.repeat(40)}2`;
    const r = compileExpression(source, registry);
    if (r.ok) throw new Error('expected a problem');
    const line = formatExpressionProblem(source, r.error);
    expect(line).toMatch(/^Unknown field \[Nope\] at character 162 of "….{60}…"$/);
    expect(line).toContain(' [Nope] + ');
    expect(line).not.toContain('\n');
  });

  it('appends the source to a message without a character number', () => {
    expect(formatExpressionProblem('1', { message: 'Something is off', position: 0 })).toBe('Something is off (in "1")');
  });
});
