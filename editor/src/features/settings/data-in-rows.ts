/**
 * Settings → Data in, the tables as rows a person edits: made from the saved table, checked as they
 * are typed (the server checks again, and its problems are placed on their rows), and made a table
 * again to save or to try. Pure, so it is tested without a browser.
 */
import { EventType } from '../../../../engine/schema/event.js';
import type { IntakeMapping, MappingProblem, NameMap } from './data-in-api.js';

export type TableName = 'events' | 'traits';

/** One row: the name as sent and what it becomes (`""`: ignore; `null`: not chosen yet). */
export interface Row {
  readonly id: number;
  readonly name: string;
  readonly target: string | null;
  /** An event type typed by hand (its text may be empty while typed, which is not "ignore"). */
  readonly custom?: boolean;
}

export type Rows = Readonly<Record<TableName, readonly Row[]>>;

let lastId = 0;
/** A new row's id, unique in the page. */
export const newRowId = () => ++lastId;

/** The saved table as rows, in its order. */
export function rowsOf(mapping: IntakeMapping): Rows {
  const of = (m: NameMap) => Object.entries(m).map(([name, target]) => ({ id: newRowId(), name, target }));
  return { events: of(mapping.events), traits: of(mapping.traits) };
}

/** A row nobody filled in: left out of what is saved, and of the checks. */
const blank = (r: Row) => r.name.trim() === '' && (r.target === null || (r.custom === true && r.target.trim() === ''));
/** A row that says what it becomes. */
const finished = (r: Row) => r.name.trim() !== '' && r.target !== null && !(r.custom && r.target.trim() === '');

/** The rows as a table, names trimmed; blank rows and rows not finished are left out. */
export function tableOf(rows: Rows): IntakeMapping {
  const of = (list: readonly Row[]) => Object.fromEntries(list.filter(finished).map((r) => [r.name.trim(), r.target!.trim()]));
  return { events: of(rows.events), traits: of(rows.traits) };
}

/** Whether the rows say something other than the saved table (blank rows say nothing). */
export function changed(rows: Rows, saved: IntakeMapping): boolean {
  const said = (list: readonly Row[]) => JSON.stringify(list.filter((r) => !blank(r)).map((r) => [r.name.trim(), r.target?.trim() ?? null]));
  const was = rowsOf(saved);
  return said(rows.events) !== said(was.events) || said(rows.traits) !== said(was.traits);
}

/** A text in lower snake case as an event type is written (`Webinar Attended` → `webinar_attended`). */
export function typeSuggestion(text: string): string {
  return text.trim().toLowerCase().replace(/[^a-z0-9.]+/g, '_').replace(/^[^a-z]+/, '').replace(/[_.]+$/, '').slice(0, 64);
}

/** What is wrong with an event type typed by hand, in words; null when it is one. */
export function typeProblem(type: string): string | null {
  const t = type.trim();
  if (t === '') return 'Type the event type, e.g. webinar_attended.';
  if (EventType.safeParse(t).success) return null;
  const s = typeSuggestion(t);
  return `"${t}" is not an event type: lower-case letters, digits, "_" or ".", starting with a letter${EventType.safeParse(s).success ? ` — write it as ${s}` : ''}.`;
}

/** Each row's problem found in the page, by row id: no name, a name twice, nothing chosen, a bad type. */
export function rowProblems(table: TableName, rows: readonly Row[]): Map<number, string> {
  const out = new Map<number, string>();
  const seen = new Map<string, string>();
  const what = table === 'events' ? 'event' : 'trait';
  for (const r of rows) {
    if (blank(r)) continue;
    const name = r.name.trim();
    if (!name) {
      out.set(r.id, `Give the ${what} name as your source sends it, or remove the row.`);
      continue;
    }
    const same = seen.get(name.toLowerCase());
    if (same !== undefined) {
      out.set(r.id, `The same name as "${same}" above: keep one row.`);
      continue;
    }
    seen.set(name.toLowerCase(), name);
    if (r.target === null) out.set(r.id, table === 'events' ? 'Choose the type it is recorded as, or Ignore.' : 'Choose the field it is written to, or Ignore.');
    else if (table === 'events' && (r.target !== '' || r.custom)) {
      const problem = typeProblem(r.target);
      if (problem) out.set(r.id, problem);
    }
  }
  return out;
}

/**
 * The server's problems placed on their rows (by the name as sent); those it names no row for
 * (the table as a whole, or a row since changed) are answered apart.
 */
export function placeProblems(problems: readonly MappingProblem[], rows: Rows): { byRow: Map<number, string>; other: string[] } {
  const byRow = new Map<number, string>();
  const other: string[] = [];
  for (const p of problems) {
    const row = p.name.trim() === '' ? undefined : rows[p.table].find((r) => r.name.trim() === p.name.trim() && !byRow.has(r.id));
    if (row) byRow.set(row.id, p.message);
    else other.push(p.message);
  }
  return { byRow, other };
}
