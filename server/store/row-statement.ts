import { CompiledQuery, InsertQueryNode, PrimitiveValueListNode, ValuesNode } from 'kysely';
import type { Compilable, Kysely, RootOperationNode } from 'kysely';
import { directOf, knownDialectOf, type Table } from './dialect.js';
import type { DB } from './schema.js';

/**
 * A placeholder standing for a row's value when the statement is built; `p.list(key)` stands for
 * a list of values, as the right side of `in` (`where('id', 'in', p.list('ids'))`).
 */
type Param<K extends string = string> = ((key: K) => never) & { list(key: K): never };
const MARK = '\u0000row:';
const LIST = '\u0000list:';

const param: Param = Object.assign((key: string) => `${MARK}${key}` as never, { list: (key: string) => [`${LIST}${key}`] as never });

/**
 * A statement of fixed shape, built once with Kysely (typed, spelled in the database's dialect)
 * and run once per row with that row's values. Inside a transaction on SQLite each row is one call
 * of a prepared statement on the transaction's connection; elsewhere it goes through Kysely.
 *
 * ```ts
 * const insertTag = new RowStatement<{ contactId: string; tag: string }>((db, p) =>
 *   db.insertInto('contact_tags').values({ contact_id: p('contactId'), tag: p('tag') }));
 * await insertTag.run(db, rows);
 * ```
 */
export class RowStatement<R extends Record<string, unknown>> {
  readonly #build: (db: Kysely<DB>, p: Param) => Compilable<unknown>;
  readonly #update: UpdateShape | undefined;
  /** Compiled once per dialect adapter: the SQL, which row key each parameter takes, and how its rows batch. */
  readonly #compiled = new WeakMap<object, Compiled<R>>();

  /**
   * `update`: the statement is `update <table> set <set = p(col)…> where <where = p(col)…>`, rows keyed
   * by column, so a dialect that batches (PostgreSQL) can run many rows as one statement. A plain
   * insert of one row of placeholders batches too (its shape is read off the statement).
   */
  constructor(build: (db: Kysely<DB>, p: Param<keyof R & string>) => Compilable<unknown>, opts: { update?: UpdateShape } = {}) {
    this.#build = build as (db: Kysely<DB>, p: Param) => Compilable<unknown>;
    this.#update = opts.update;
  }

  #compile(db: Kysely<DB>): Compiled<R> {
    const adapter = db.getExecutor().adapter;
    let c = this.#compiled.get(adapter);
    if (!c) {
      const q = this.#build(db, param).compile();
      const lists = new Set<number>();
      const keys = q.parameters.map((v, i) => {
        if (typeof v === 'string' && v.startsWith(LIST)) {
          lists.add(i);
          return v.slice(LIST.length) as keyof R;
        }
        if (typeof v !== 'string' || !v.startsWith(MARK)) throw new Error(`RowStatement: every value must be a p('key') placeholder (${q.sql})`);
        return v.slice(MARK.length) as keyof R;
      });
      const dialect = knownDialectOf(db);
      c = { sql: q.sql, keys, insert: insertShape(q.query), lists: lists.size ? listForm(q.sql, lists, keys.length, dialect?.name === 'postgres') : undefined };
      dialect?.keep?.(c.lists?.asArray ?? c.sql);
      this.#compiled.set(adapter, c);
    }
    return c;
  }

  /** The statement's text and parameters for one row. */
  #bind(c: Compiled<R>, row: R): { sql: string; params: unknown[] } {
    if (!c.lists) return { sql: c.sql, params: c.keys.map((k) => row[k] ?? null) };
    const { lists } = c;
    if (lists.asArray !== undefined) return { sql: lists.asArray, params: c.keys.map((k) => row[k] ?? null) };
    // One `?` per value, the list padded with its last value to a size of a few (an `in` list means
    // the same with a value twice): the statement's texts, and so its prepared forms, stay few.
    const params: unknown[] = [];
    let sql = lists.segments[0]!;
    for (const [i, k] of c.keys.entries()) {
      if (lists.at.has(i)) {
        const values = row[k] as readonly unknown[];
        const n = padded(values.length);
        for (let j = 0; j < n; j++) params.push(values[Math.min(j, values.length - 1)]);
        sql += n ? '?' + ', ?'.repeat(n - 1) : '';
      } else {
        params.push(row[k] ?? null);
        sql += '?';
      }
      sql += lists.segments[i + 1]!;
    }
    return { sql, params };
  }

  /**
   * Runs the query for one row of parameters on SQLite's direct connection (inside a transaction
   * there); answers its columns and rows as arrays. Undefined elsewhere.
   */
  table(db: Kysely<DB>, row: R): Table | undefined {
    const conn = directOf(db);
    if (!conn) return undefined;
    const { sql, params } = this.#bind(this.#compile(db), row);
    return conn.table(sql, params);
  }

  /** The statement for one row, to run with others (see `together`). */
  with(db: Kysely<DB>, row: R): Compilable<unknown> {
    const { sql, params } = this.#bind(this.#compile(db), row);
    const query = CompiledQuery.raw(sql, params);
    return { compile: () => query };
  }

  /** Runs many rows as few statements where the dialect offers it; false when it does not. */
  async #batch(db: Kysely<DB>, c: Compiled<R>, rows: readonly R[], seen: (row: R, changed: number) => void): Promise<boolean> {
    const batch = directOf(db) ? undefined : knownDialectOf(db)?.batch;
    if (!batch) return false;
    if (c.insert) {
      const { table, columns } = c.insert;
      await batch.insert(db, table, rows.map((r) => Object.fromEntries(columns.map(([col, key]) => [col, r[key] ?? null]))));
      for (const r of rows) seen(r, 1);
      return true;
    }
    if (this.#update) {
      const { table, set, where } = this.#update;
      const matched = await batch.update(db, table, set, where, rows as readonly Record<string, unknown>[]);
      rows.forEach((r, i) => seen(r, matched[i] ? 1 : 0));
      return true;
    }
    return false;
  }

  /** Runs the statement for each row, in order, telling `seen` how many rows each changed. */
  async #each(db: Kysely<DB>, rows: readonly R[], seen: (row: R, changed: number) => void): Promise<void> {
    if (rows.length === 0) return;
    const compiled = this.#compile(db);
    // An insert goes as a batch even for one row: the dialect may send it with the next statement.
    if ((rows.length > 1 || compiled.insert) && (await this.#batch(db, compiled, rows, seen))) return;
    const conn = directOf(db);
    for (const row of rows) {
      const { sql, params } = this.#bind(compiled, row);
      // On the direct path nothing is awaited: no turn of the event loop per row.
      seen(row, conn ? conn.run(sql, params) : Number((await db.executeQuery(CompiledQuery.raw(sql, params))).numAffectedRows ?? 0n));
    }
  }

  /** Runs the statement for each row, in order; answers how many rows in all it changed. */
  async run(db: Kysely<DB>, rows: readonly R[]): Promise<number> {
    let changed = 0;
    await this.#each(db, rows, (_row, n) => (changed += n));
    return changed;
  }

  /**
   * Runs the statement for each row when nobody reads what it changed: an update by key on a
   * dialect that batches goes with the transaction's next statement (see `Dialect.defer`).
   */
  async runLater(db: Kysely<DB>, rows: readonly R[]): Promise<void> {
    const batch = directOf(db) ? undefined : knownDialectOf(db)?.batch;
    if (batch && this.#update && rows.length) {
      const { table, set, where } = this.#update;
      await batch.updateLater(db, table, set, where, rows as readonly Record<string, unknown>[]);
      return;
    }
    await this.run(db, rows);
  }

  /** Runs the statement for each row; answers the rows that changed nothing (an update that found no row). */
  async unchanged(db: Kysely<DB>, rows: readonly R[]): Promise<R[]> {
    const out: R[] = [];
    await this.#each(db, rows, (row, n) => {
      if (n === 0) out.push(row);
    });
    return out;
  }

  /** Runs the query for one row of parameters; answers its result rows. */
  async all<T>(db: Kysely<DB>, row: R): Promise<T[]> {
    const { sql, params } = this.#bind(this.#compile(db), row);
    const conn = directOf(db);
    if (conn) return conn.all(sql, params) as T[];
    return (await db.executeQuery<T>(CompiledQuery.raw(sql, params))).rows as T[];
  }
}

/** An update by key: `update <table> set <set…> where <where…>`, each value a row's column. */
interface UpdateShape {
  readonly table: string;
  readonly set: readonly string[];
  readonly where: readonly string[];
}

interface Compiled<R> {
  readonly sql: string;
  readonly keys: (keyof R)[];
  /** A plain insert of one row of placeholders: its table and [column, row key] pairs. */
  readonly insert: { table: string; columns: [string, keyof R][] } | undefined;
  /** How list parameters are sent, when there are any (see `listForm`). */
  readonly lists: ListForm | undefined;
}

/**
 * How a statement with list parameters (`in (p.list(key))`, or `not in`) is sent: on PostgreSQL as
 * one array parameter (`= any($n)`, `<> all($n)`: one text whatever the length), elsewhere as one `?` per value between
 * the text's `segments` (the parameters at the positions `at` are lists).
 */
type ListForm = { readonly asArray: string; readonly segments?: undefined; readonly at?: undefined } | { readonly asArray?: undefined; readonly segments: readonly string[]; readonly at: ReadonlySet<number> };

function listForm(sql: string, at: ReadonlySet<number>, count: number, postgres: boolean): ListForm {
  if (postgres) {
    let text = sql;
    for (const i of at) {
      const n = `$${i + 1}`;
      if (text.includes(` not in (${n})`)) text = text.replace(` not in (${n})`, ` <> all(${n})`);
      else if (text.includes(` in (${n})`)) text = text.replace(` in (${n})`, ` = any(${n})`);
      else throw new Error(`RowStatement: a list parameter must be the right side of in (${sql})`);
    }
    return { asArray: text };
  }
  const segments = sql.split('?');
  if (segments.length !== count + 1) throw new Error(`RowStatement: a list parameter needs one ? per parameter in the text (${sql})`);
  for (const i of at) {
    if (!segments[i]!.endsWith(' in (') || !segments[i + 1]!.startsWith(')')) throw new Error(`RowStatement: a list parameter must be the right side of in (${sql})`);
  }
  return { segments, at };
}

/** The size a list of `n` values is sent at: the next power of two up to 1,024, beyond that `n`. */
function padded(n: number): number {
  if (n <= 1 || n > 1024) return n;
  return 2 ** Math.ceil(Math.log2(n));
}

/** The table and columns of a plain one-row insert (no conflict clause, nothing returned), read off Kysely's node. */
function insertShape<R>(node: RootOperationNode): Compiled<R>['insert'] {
  if (!InsertQueryNode.is(node) || node.onConflict || node.returning || node.ignore || !node.columns) return undefined;
  const values = node.values;
  if (!values || !ValuesNode.is(values) || values.values.length !== 1) return undefined;
  const row = values.values[0];
  if (!PrimitiveValueListNode.is(row)) return undefined;
  const table = node.into?.table.identifier.name;
  if (!table) return undefined;
  const columns: [string, keyof R][] = [];
  for (const [i, col] of node.columns.entries()) {
    const v = row.values[i];
    if (typeof v !== 'string' || !v.startsWith(MARK)) return undefined;
    columns.push([col.column.name, v.slice(MARK.length) as keyof R]);
  }
  return { table, columns };
}

const updates = new Map<string, RowStatement<Record<string, unknown>>>();

/**
 * `update <table> set <set…> where <where…>` with each row's values named by column: one
 * statement per shape, made once (a contact's score and due time, not its every column).
 */
export function updateStatement(table: keyof DB, set: readonly string[], where: readonly string[]): RowStatement<Record<string, unknown>> {
  const key = `${table}\u0000${set.join(',')}\u0000${where.join(',')}`;
  let stmt = updates.get(key);
  if (!stmt) {
    stmt = new RowStatement<Record<string, unknown>>((db, p) => {
      let q = db.updateTable(table).set(Object.fromEntries(set.map((c) => [c, p(c)])) as never);
      for (const c of where) q = q.where(c as never, '=', p(c));
      return q;
    }, { update: { table, set, where } });
    updates.set(key, stmt);
  }
  return stmt;
}
