import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../../engine/expression/index.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../../../../engine/schema/field.js';
import { caretExcerpt } from './caret.js';

/** The column of the caret in the excerpt. */
const column = (e: { caret: string }) => e.caret.indexOf('^');

describe('the caret under an expression problem', () => {
  it('points at the character in a short expression', () => {
    expect(caretExcerpt('[Scor] + 1', 0)).toEqual({ text: '[Scor] + 1', caret: '^' });
    expect(caretExcerpt('1 + * 2', 4)).toEqual({ text: '1 + * 2', caret: '    ^' });
  });

  it('points just past the end for "expected a value after"', () => {
    const fields = new FieldRegistry(BUILTIN_FIELDS);
    const source = '[Score] +';
    const r = compileExpression(source, fields);
    if (r.ok) throw new Error('expected a problem');
    const e = caretExcerpt(source, r.error.position);
    expect(e.text[column(e)] ?? 'end').toBe(source[r.error.position] ?? 'end');
    expect(column(e)).toBe(r.error.position);
  });

  it('cuts a long expression around the problem, keeping the caret on its character', () => {
    const source = `${'a'.repeat(50)}X${'b'.repeat(50)}`;
    const e = caretExcerpt(source, 50, 30);
    expect(e.text.length).toBeLessThanOrEqual(30);
    expect(e.text.startsWith('…')).toBe(true);
    expect(e.text.endsWith('…')).toBe(true);
    expect(e.text[column(e)]).toBe('X');
  });

  it('keeps the end in view for a problem at the end of a long expression', () => {
    const source = `max(${'1, '.repeat(30)}`;
    const e = caretExcerpt(source, source.length, 30);
    expect(e.text.startsWith('…')).toBe(true);
    expect(column(e)).toBe(e.text.length);
  });

  it('shows tabs and newlines as spaces so columns stay aligned', () => {
    expect(caretExcerpt('1 +\n\t*', 5)).toEqual({ text: '1 +  *', caret: '     ^' });
  });
});
