import type { Context } from 'hono';
import { csvValue } from '../csv.js';

type Cell = string | number | boolean | null | undefined;

/** One value as a CSV cell; text a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a leading apostrophe. */
function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return csvValue(/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
}

/** Answers a CSV file (a header row, then the rows) to download as `filename`. */
export function csvAnswer(c: Context, filename: string, header: readonly string[], rows: readonly (readonly Cell[])[]): Response {
  const text = [header.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\r\n') + '\r\n';
  return c.body(text, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
  });
}
