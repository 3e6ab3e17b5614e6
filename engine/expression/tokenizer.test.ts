import { describe, expect, it } from 'vitest';
import { ExpressionSyntaxError } from './problem.js';
import { MAX_SOURCE_LENGTH, MAX_TOKENS, tokenize } from './tokenizer.js';

/** The error tokenizing `source` raises, as a plain value. */
function tokenError(source: string) {
  try {
    tokenize(source);
  } catch (e) {
    if (e instanceof ExpressionSyntaxError) return { message: e.message, position: e.position };
    throw e;
  }
  throw new Error(`expected ${source} not to tokenize`);
}

const kinds = (source: string) => tokenize(source).map((t) => `${t.kind}@${t.pos}`);

describe('tokenize', () => {
  it('reads integers, decimals and leading-point decimals with their positions', () => {
    const tokens = tokenize('12 3.5 .5');
    expect(tokens.map((t) => (t.kind === 'number' ? [t.value, t.pos] : t.kind))).toEqual([[12, 0], [3.5, 3], [0.5, 7], 'eof']);
  });

  it('reads quoted text with \\" and \\\\ escapes', () => {
    const [t] = tokenize(String.raw`"say \"hi\" \\ ok"`);
    expect(t).toMatchObject({ kind: 'text', value: 'say "hi" \\ ok', pos: 0 });
  });

  it('reads a field reference as everything up to the closing bracket', () => {
    const [a, , b] = tokenize('[Custom Lead Score] + [odd (name) + "x"]');
    expect(a).toMatchObject({ kind: 'field', ref: 'Custom Lead Score', text: '[Custom Lead Score]', pos: 0 });
    expect(b).toMatchObject({ kind: 'field', ref: 'odd (name) + "x"', pos: 22 });
  });

  it('reads identifiers, operators and punctuation, skipping whitespace and newlines', () => {
    expect(kinds('round(\n\tx_1 ,2)%-+*/')).toEqual([
      'ident@0', '(@5', 'ident@8', ',@12', 'number@13', ')@14',
      'op@15', 'op@16', 'op@17', 'op@18', 'op@19', 'eof@20',
    ]);
  });

  it('ends with an eof token at the end of the source', () => {
    expect(tokenize('')).toEqual([{ kind: 'eof', text: '', pos: 0 }]);
    expect(tokenize('1  ').at(-1)).toEqual({ kind: 'eof', text: '', pos: 3 });
  });
});

describe('tokenize errors', () => {
  it('points at an unknown character', () => {
    expect(tokenError('1 + @')).toEqual({ message: 'Unexpected character "@" at character 5', position: 4 });
  });

  it('explains characters people commonly type by mistake', () => {
    expect(tokenError('[score] = 3').message).toBe(
      'Unexpected character "=" at character 9 — an expression computes a value; comparisons belong in a condition',
    );
    expect(tokenError("'hot'")).toMatchObject({ position: 0, message: expect.stringContaining('double quotes') });
    expect(tokenError('1 ]')).toMatchObject({ position: 2, message: expect.stringContaining('no "["') });
  });

  it('shows an astral character whole', () => {
    expect(tokenError('1 + 🔥')).toEqual({ message: 'Unexpected character "🔥" at character 5', position: 4 });
  });

  it('points at the opening quote of unterminated text', () => {
    expect(tokenError('1 + "abc')).toEqual({
      message: 'The text starting at character 5 is never closed: add a closing "',
      position: 4,
    });
    expect(tokenError(String.raw`"abc\"`).position).toBe(0);
  });

  it('points at an unknown escape', () => {
    expect(tokenError(String.raw`"a\nb"`)).toMatchObject({ position: 2, message: expect.stringMatching(/^Unknown escape "\\n" at character 3/) });
  });

  it('points at the opening bracket of an unterminated field reference', () => {
    expect(tokenError('2 * [Custom Lead Score')).toEqual({
      message: 'The field reference "[" at character 5 is never closed: add "]" after the field\'s name',
      position: 4,
    });
  });

  it('refuses a number ending with a point, and a lone point', () => {
    expect(tokenError('1. + 2')).toMatchObject({ position: 1, message: expect.stringContaining('at character 2 ends with "."') });
    expect(tokenError('1 + .')).toMatchObject({ position: 4 });
  });

  it('refuses a number too large to hold', () => {
    expect(tokenError(`1 + ${'9'.repeat(400)}`)).toEqual({ message: 'The number at character 5 is too large', position: 4 });
  });

  it(`refuses a source longer than ${MAX_SOURCE_LENGTH} characters before reading it`, () => {
    expect(tokenize(`1${' '.repeat(MAX_SOURCE_LENGTH - 1)}`)).toHaveLength(2);
    expect(tokenError('1'.repeat(MAX_SOURCE_LENGTH + 1))).toMatchObject({
      position: MAX_SOURCE_LENGTH,
      message: expect.stringContaining(`${MAX_SOURCE_LENGTH + 1} characters`),
    });
  });

  it(`refuses more than ${MAX_TOKENS} tokens, pointing at the first one over`, () => {
    const ok = Array(MAX_TOKENS / 2).fill('1').join('+'); // 499 tokens
    expect(tokenize(`${ok} +`)).toHaveLength(MAX_TOKENS + 1); // plus eof
    expect(tokenError(`${ok} + 1`)).toMatchObject({ position: ok.length + 3, message: expect.stringContaining('more than 500') });
  });
});
