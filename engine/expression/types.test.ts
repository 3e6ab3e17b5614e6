import { describe, expect, it } from 'vitest';
import { compiled, problem } from './testing.js';

describe('static types', () => {
  it.each([
    ['1 + 2 * 3 - 4 / 5 % 6', 'number'],
    ['"a"', 'text'],
    ['true', 'boolean'],
    ['[Company]', 'text'],
    ['"Lead: " + [score]', 'text'],
    ['[score] + " points"', 'text'],
    ['"on " + [Created]', 'text'],
    ['true + ""', 'text'],
    ['[Created] + 86400000', 'date'],
    ['86400000 + [Created]', 'date'],
    ['[Created] - 3600000', 'date'],
    ['now() - [Created]', 'number'],
    ['[Trial ends] - now()', 'number'],
    ['days_since([Last activity]) * 2', 'number'],
    ['-[score]', 'number'],
  ])('%s is %s', (source, type) => {
    expect(compiled(source).type).toBe(type);
  });
});

describe('type errors point at the operator with a human message', () => {
  it.each([
    ['[Custom Lead Score] * "x"', 'Cannot multiply a number by text at character 21', 20],
    ['"x" * 2', 'Cannot multiply text by a number at character 5', 4],
    ['[Company] / 2', 'Cannot divide text by a number at character 11', 10],
    ['[Company] % 2', 'Cannot take the remainder of text divided by a number at character 11', 10],
    ['[Company] - 2', 'Cannot subtract a number from text at character 11', 10],
    ['true + 1', 'Cannot add a number to a true/false value at character 6', 5],
    ['[Partner] * [Partner]', 'Cannot multiply a true/false value by a true/false value at character 11', 10],
    ['[Created] + [Created]', 'Cannot add a date to a date at character 11', 10],
    ['1 - [Created]', 'Cannot subtract a date from a number at character 3', 2],
    ['[Created] * 2', 'Cannot multiply a date by a number at character 11', 10],
    ['-"a"', 'Cannot put a minus sign before text at character 1', 0],
    ['-now()', 'Cannot put a minus sign before a date at character 1', 0],
  ])('%s', (source, message, position) => {
    expect(problem(source)).toEqual({ message, position });
  });

  it('points a function\'s argument error at the argument', () => {
    expect(problem('round(1, "2")')).toEqual({
      message: 'round needs a number, as in round(x, decimals), but was given text at character 10',
      position: 9,
    });
    expect(problem('max(1, now())').position).toBe(7);
    expect(problem('abs([Created] - 1)').position).toBe(4);
    expect(problem('days_since(5)').message).toBe(
      'days_since needs a date, as in days_since([Last activity]), but was given a number at character 12',
    );
    expect(problem('days_since([Company])').position).toBe(11);
  });

  it('checks types inside nested expressions', () => {
    expect(problem('clamp([score] + 1, 0, "10" * 2)').position).toBe(27);
  });
});
