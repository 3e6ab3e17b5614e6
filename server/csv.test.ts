import { describe, expect, it } from 'vitest';
import { CsvError, csvValue, parseCsv } from './csv.js';

const values = (text: string) => parseCsv(text).map((r) => r.values);

describe('parseCsv', () => {
  it('reads plain records separated by commas and line breaks', () => {
    expect(values('a,b,c\n1,2,3\n')).toEqual([['a', 'b', 'c'], ['1', '2', '3']]);
    expect(values('a,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('accepts CRLF, LF and lone CR line ends, and counts lines across them', () => {
    const records = parseCsv('a,b\r\n1,2\r3,4\n5,6\r\n');
    expect(records.map((r) => r.values)).toEqual([['a', 'b'], ['1', '2'], ['3', '4'], ['5', '6']]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4]);
  });

  it('reads quoted fields with commas, escaped quotes and embedded line breaks', () => {
    const records = parseCsv('name,note\r\n"Smith, Ann","She said ""hi""\r\nthen left"\r\nBob,"x"\r\n');
    expect(records.map((r) => r.values)).toEqual([
      ['name', 'note'],
      ['Smith, Ann', 'She said "hi"\r\nthen left'],
      ['Bob', 'x'],
    ]);
    // The record after a quoted line break starts on the right line.
    expect(records.map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('keeps empty fields, empty quoted fields and a trailing empty field', () => {
    expect(values('a,,c\n"",x,\n')).toEqual([['a', '', 'c'], ['', 'x', '']]);
    expect(values('a,')).toEqual([['a', '']]);
  });

  it('skips blank lines and a byte-order mark', () => {
    expect(values('\uFEFFa,b\n\n1,2\r\n\r\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsv('\uFEFFa\n\nb').map((r) => r.line)).toEqual([1, 3]);
    expect(values('')).toEqual([]);
  });

  it('keeps spaces around unquoted values as they are', () => {
    expect(values(' a , b ')).toEqual([[' a ', ' b ']]);
  });

  it('refuses an unclosed quoted field, naming the line it starts on', () => {
    const broken = () => parseCsv('a,b\n1,2\n3,"never closed\nmore\n');
    expect(broken).toThrow(CsvError);
    expect(broken).toThrow(/^Line 3: a quoted field is never closed/);
  });

  it('refuses text after a closing quote, naming the line', () => {
    try {
      parseCsv('a,b\n"x\ny"z,2\n');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CsvError);
      expect((e as CsvError).line).toBe(3);
      expect((e as Error).message).toMatch(/closing quote must be followed by a comma/);
    }
  });

  it('refuses a stray quote inside an unquoted value', () => {
    expect(() => parseCsv('a,b\n1,2"3\n')).toThrow(/^Line 2: a quote inside a value that is not enclosed in quotes/);
  });

  it('reads back what csvValue writes', () => {
    const row = ['plain', 'with, comma', 'with "quote"', 'two\nlines', 'cr\r\nlf', ''];
    expect(values(row.map(csvValue).join(','))).toEqual([row]);
  });

  it('reads thousands of records quickly', () => {
    const text = ['email,score', ...Array.from({ length: 20_000 }, (_, i) => `u${i}@x.com,"${i}"`)].join('\r\n');
    const start = performance.now();
    const records = parseCsv(text);
    expect(records).toHaveLength(20_001);
    expect(records[20_000]).toEqual({ line: 20_001, values: ['u19999@x.com', '19999'] });
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});
