/**
 * A small CSV reader (RFC 4180): comma-separated fields, records ended by CRLF, LF or CR, fields
 * in double quotes may hold commas, line breaks and doubled quotes (`""` reads as `"`).
 * Stricter than the RFC only where a silent guess would corrupt data: a quote that is not part of
 * a properly quoted field is an error naming its line, never glued into the value.
 */

/** Broken CSV: what is wrong, and the line (1-based) where it was noticed. */
export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`Line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

/** One record: its values and the line (1-based) it starts on (a quoted line break spans lines). */
export interface CsvRecord {
  readonly line: number;
  readonly values: string[];
}

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;

/**
 * Parses CSV text into records. A leading byte-order mark is ignored, and so are blank lines
 * (a record of one empty, unquoted field): spreadsheets leave them at the end of files.
 * Throws {@link CsvError} for an unclosed quoted field or a stray quote.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let values: string[] = [];
  let recordLine = 1;
  let blank = true; // the record so far is one empty unquoted field

  const endRecord = () => {
    if (!blank) records.push({ line: recordLine, values });
    values = [];
    blank = true;
  };

  while (i <= n) {
    if (values.length === 0) recordLine = line;
    if (i === n) break; // the text ended with a line break: no record is open
    const c = text.charCodeAt(i);
    let value: string;
    if (c === QUOTE) {
      const startLine = line;
      let out = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) throw new CsvError('a quoted field is never closed: add the closing quote (") — a quote inside a value is written as two ("")', startLine);
        const chunk = text.slice(from, q);
        line += countLineBreaks(chunk);
        out += chunk;
        if (text.charCodeAt(q + 1) === QUOTE) {
          out += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      const next = text.charCodeAt(i);
      if (i < n && next !== COMMA && next !== LF && next !== CR) {
        throw new CsvError('a closing quote must be followed by a comma or the end of the line — a quote inside a value is written as two ("")', line);
      }
      value = out;
      blank = false;
    } else {
      let j = i;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === COMMA || d === LF || d === CR) break;
        if (d === QUOTE) throw new CsvError('a quote inside a value that is not enclosed in quotes — enclose the value in quotes and write the quote as two ("")', line);
        j++;
      }
      value = text.slice(i, j);
      if (value !== '' || values.length > 0) blank = false;
      i = j;
    }
    values.push(value);
    if (i >= n) {
      endRecord();
      break;
    }
    const sep = text.charCodeAt(i);
    if (sep === COMMA) {
      blank = false;
      i++;
      if (i === n) {
        values.push('');
        endRecord();
        break;
      }
      continue;
    }
    // A line break: CRLF counts as one.
    i += sep === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
    line++;
    endRecord();
  }
  return records;
}

function countLineBreaks(s: string): number {
  let count = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === LF) count++;
    else if (c === CR && s.charCodeAt(k + 1) !== LF) count++;
  }
  return count;
}

/** Writes one value for a CSV file: quoted when it holds a comma, a quote or a line break. */
export function csvValue(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
