import { describe, expect, it } from 'vitest';
import type { Expr } from './ast.js';
import { EvaluationError, evaluateExpression } from './index.js';
import { NOW, compiled, env, run } from './testing.js';

const DAY = 86_400_000;

/** The EvaluationError `source` raises. */
function failure(source: string, values: Record<string, number | string | boolean | null> = {}) {
  try {
    run(source, values);
  } catch (e) {
    if (e instanceof EvaluationError) return { message: e.message, position: e.position };
    throw e;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('arithmetic', () => {
  it.each([
    ['1 + 2 * 3', 7], ['(1 + 2) * 3', 9], ['10 - 4 - 3', 3], ['8 / 4 / 2', 1], ['2 * 3 % 4', 2],
    ['-2 * 3', -6], ['- -5', 5], ['-(2 - 5)', 3], ['.5 + 3.5', 4], ['7 / 2', 3.5],
    // `%` is JavaScript's remainder: the sign follows the left side.
    ['7 % 3', 1], ['-7 % 3', -1], ['7 % -3', 1], ['5.5 % 2', 1.5],
  ])('%s = %d', (source, value) => {
    expect(run(source)).toBe(value);
  });

  it('never yields -0', () => {
    expect(Object.is(run('-0'), 0)).toBe(true);
    expect(Object.is(run('0 * -1'), 0)).toBe(true);
    expect(Object.is(run('round(-0.4)'), 0)).toBe(true);
  });

  it('refuses division and remainder by zero', () => {
    expect(failure('1 / 0')).toEqual({ message: 'Division by zero at character 3', position: 2 });
    expect(failure('5 % 0')).toEqual({ message: 'Division by zero at character 3', position: 2 });
    expect(failure('[score] / ([Company size] - 10)', { company_size: 10 }).position).toBe(8);
    expect(failure('100 / [Custom Lead Score]').message).toBe('Division by zero at character 5');
  });

  it('refuses results too large to hold', () => {
    const big = '9'.repeat(200);
    expect(failure(`${big} * ${big}`)).toEqual({ message: 'The result at character 202 is too large to compute', position: 201 });
  });
});

describe('functions', () => {
  it.each([
    ['min(3, 1, 2)', 1], ['min(4)', 4], ['max(3, 1, 2)', 3], ['max(-1)', -1],
    ['clamp(15, 0, 10)', 10], ['clamp(-5, 0, 10)', 0], ['clamp(5, 0, 10)', 5],
    ['round(2.5)', 3], ['round(-2.5)', -3], ['round(2.4)', 2], ['round(1.005, 2)', 1.01], ['round(1.23456, 3)', 1.235],
    ['round(-1.005, 2)', -1.01], ['round(1.5, -2)', 2], ['round(1.23456789012345, 99)', 1.2345678901],
    ['round(2.567, 1.9)', 2.6], ['round(1000.5)', 1001],
    ['floor(1.5)', 1], ['floor(-1.5)', -2], ['ceil(1.2)', 2], ['ceil(-1.2)', -1], ['abs(-3)', 3], ['abs(3)', 3],
  ])('%s = %d', (source, value) => {
    expect(run(source)).toBe(value);
  });

  it('leaves a number too large to scale as it is when rounding', () => {
    expect(run(`round(${'9'.repeat(300)}, 10)`)).toBe(Number('9'.repeat(300)));
  });

  it('refuses clamp limits the wrong way round', () => {
    expect(failure('clamp(1, 10, 0)')).toEqual({ message: "clamp's lower limit 10 is above its upper limit 0 at character 1", position: 0 });
  });

  it('reads now() from the environment', () => {
    expect(run('now()')).toBe(NOW);
    expect(run('now()', {}, 1234)).toBe(1234);
  });

  it('counts days_since as a fractional number of days', () => {
    expect(run('days_since([Created])', { created_at: NOW - 1.5 * DAY })).toBe(1.5);
    expect(run('days_since(now() - 2 * 86400000)')).toBe(2);
    expect(run('days_since([Trial ends])', { trial_ends_at: NOW + DAY })).toBe(-1);
    expect(run('round(days_since([Last activity]))', { last_activity_at: NOW - 29.6 * DAY })).toBe(30);
  });

  it('refuses days_since of an empty date', () => {
    expect(failure('1 + days_since([Last activity])')).toEqual({
      message: 'days_since cannot count the days since an empty date: the field [Last activity] at character 16 has no value',
      position: 15,
    });
  });
});

describe('fields', () => {
  const values = { custom_lead_score: 12.5, company: 'Acme', is_partner: true, created_at: Date.UTC(2025, 0, 1) };

  it('reads fields by key and by label', () => {
    expect(run('[custom_lead_score] * 2', values)).toBe(25);
    expect(run('[ custom lead SCORE ] + 1', values)).toBe(13.5);
    expect(run('[Company]', values)).toBe('Acme');
    expect(run('[Partner]', values)).toBe(true);
    expect(run('[Created]', values)).toBe(Date.UTC(2025, 0, 1));
  });

  it('reads empty fields as 0, "", false and an empty date', () => {
    expect(run('[Custom Lead Score] + 5')).toBe(5);
    expect(run('[Company] + "!"')).toBe('!');
    expect(run('[Partner]')).toBe(false);
    expect(run('[Created]')).toBe(null);
    expect(run('[score] + [company_size]', { score: null, company_size: null })).toBe(0);
  });

  it('accepts a date stored as ISO-8601 text', () => {
    expect(run('[Created] + 1', { created_at: '2025-01-01T00:00:00.000Z' })).toBe(Date.UTC(2025, 0, 1) + 1);
  });

  it('refuses a stored value of the wrong kind', () => {
    expect(failure('[score] + 1', { score: 'lots' })).toEqual({
      message: 'The field [score] at character 1 holds "lots", which is not a number',
      position: 0,
    });
    expect(failure('[Created] + 1', { created_at: 'soon' }).message).toContain('which is not a date');
  });

  it('never turns what an environment found on Object.prototype into text', () => {
    // An environment reading `values[key]` from a plain object finds Object for a field keyed "constructor".
    const { expr } = compiled('[Lead source] + "!"');
    const prototypeEnv = { now: NOW, get: (key: string) => ({} as Record<string, never>)[key === 'lead_source' ? 'constructor' : key] };
    expect(() => evaluateExpression(expr, prototypeEnv)).toThrow(EvaluationError);
    expect(() => evaluateExpression(expr, prototypeEnv)).toThrow(/The field \[Lead source\] at character 1 holds undefined, which is not a text/);
    expect(run('[Lead source] + "!"', { lead_source: 42 })).toBe('42!');
  });

  it('asks the environment only for the keys the parser resolved', () => {
    const asked: string[] = [];
    const { expr } = compiled('[Custom Lead Score] + [score ] * [SCORE]');
    evaluateExpression(expr, { now: NOW, get: (key) => (asked.push(key), 1) });
    expect(asked).toEqual(['custom_lead_score', 'score', 'score']);
  });
});

describe('text', () => {
  it('concatenates text with anything, from the left', () => {
    expect(run('"Score: " + [score]', { score: 12.5 })).toBe('Score: 12.5');
    expect(run('[First name] + " " + [Last name]', { first_name: 'Ada', last_name: 'Lovelace' })).toBe('Ada Lovelace');
    expect(run('"partner: " + [Partner]')).toBe('partner: false');
    expect(run('1 + 2 + "a"')).toBe('3a');
    expect(run('"a" + 1 + 2')).toBe('a12');
    expect(run(String.raw`"say \"hi\""`)).toBe('say "hi"');
  });

  it('shows a date as ISO-8601, and an empty date as nothing', () => {
    expect(run('"since " + [Created]', { created_at: Date.UTC(2025, 0, 1) })).toBe('since 2025-01-01T00:00:00.000Z');
    expect(run('"since " + [Created]')).toBe('since ');
  });
});

describe('dates', () => {
  const created = Date.UTC(2025, 0, 1);

  it('moves a date by milliseconds and subtracts dates to milliseconds', () => {
    expect(run('[Created] + 86400000', { created_at: created })).toBe(created + DAY);
    expect(run('86400000 + [Created]', { created_at: created })).toBe(created + DAY);
    expect(run('[Created] - 3600000', { created_at: created })).toBe(created - 3_600_000);
    expect(run('now() - [Created]', { created_at: created })).toBe(NOW - created);
  });

  it('refuses arithmetic on an empty date', () => {
    expect(failure('[Trial ends] + 1')).toEqual({
      message: 'Cannot calculate with an empty date: the field [Trial ends] at character 1 has no value',
      position: 0,
    });
    expect(failure('now() - [Created]').position).toBe(8);
  });

  it('refuses a date past what a date can hold', () => {
    expect(failure('now() + 9000000000000000').message).toBe('The date at character 7 is out of range');
  });
});

describe('the evaluator walks the tree and nothing else', () => {
  it('refuses a hand-built node it does not know instead of looking it up', () => {
    const call = { kind: 'call', name: 'constructor', args: [], pos: 3, type: 'number' } as unknown as Expr;
    expect(() => evaluateExpression(call, env())).toThrow(EvaluationError);
    const odd = { kind: '__proto__', pos: 0, type: 'number' } as unknown as Expr;
    expect(() => evaluateExpression(odd, env())).toThrow(/cannot be evaluated at character 1/);
  });
});
