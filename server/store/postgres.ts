/**
 * The PostgreSQL-specific SQL: connecting, the claims and locks that let several Scoremap
 * processes share one database's work, and the few statements PostgreSQL spells its own way
 * (with `stuck-sessions.ts`, which ends the sessions a frozen process left holding claims).
 */
import { CompiledQuery, Kysely, PostgresDialect, sql, type RawBuilder, type DatabaseIntrospector, type DatabaseMetadata, type LogConfig, type SchemaMetadata, type TableMetadata } from 'kysely';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Dialect } from './dialect.js';
import { lockKey, registerDialect } from './dialect.js';
import { RowStatement } from './row-statement.js';
import type { DB } from './schema.js';
import { StuckSessions } from './stuck-sessions.js';

/** Options for {@link openPostgres}. */
export interface PostgresOptions {
  log?: LogConfig;
  /**
   * How long a process may hold a transaction open without a word to the server before the server
   * ends it, ms: the lease on the contacts a batch claimed. A worker that hangs (or is stopped)
   * mid-batch loses its claims when it runs out, and another process takes the work; one that
   * dies loses them at once, with its connection. Default 30 s.
   */
  leaseMs?: number;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

/** Whether a `--db` value names a PostgreSQL database. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The pool settings for a URL. `?schema=name` keeps Scoremap's tables in that schema (created
 * when missing): several installations, or test runs, can share one database.
 */
function poolConfig(url: string, opts: PostgresOptions): { config: pg.PoolConfig; schema: string | null; lease: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`"${redactUrl(url)}" is not a database URL: write it as postgres://user:password@host:5432/database`);
  }
  if (!u.hostname && !u.searchParams.get('host')) throw new Error(`The database URL "${redactUrl(url)}" names no host: write it as postgres://user:password@host:5432/database`);
  if (u.pathname.length <= 1) throw new Error(`The database URL "${redactUrl(url)}" names no database: add it after the host, as in postgres://host:5432/scoremap`);
  const schema = u.searchParams.get('schema');
  if (schema !== null && !SCHEMA_NAME.test(schema)) throw new Error(`schema "${schema}" in the database URL: use lower-case letters, digits and underscores`);
  u.searchParams.delete('schema');
  const lease = Math.max(1_000, Math.round(opts.leaseMs ?? 30_000));
  const settings = [
    `-c idle_in_transaction_session_timeout=${lease}`,
    ...(schema ? [`-c search_path=${schema}`] : []),
  ];
  return {
    schema,
    lease,
    config: {
      connectionString: u.toString(),
      max: opts.poolSize ?? 10,
      options: settings.join(' '),
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      // Statements sent back to back go out without waiting for each other's answers (see `sendTogether`).
      pipeline: true,
      // bigint (times in ms, counts) and numeric (sums) as numbers: every value Scoremap stores fits a double exactly.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === 20 || oid === 1700 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    },
  };
}

/**
 * Connects to the PostgreSQL database at `url` (checking that it answers: a wrong URL or a
 * server that is down fails here, with the reason), creating the `?schema=` when missing.
 */
export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<Kysely<DB>> {
  const { config, schema, lease } = poolConfig(url, opts);
  const pool = new pg.Pool(config);
  // An idle connection the server drops (restart, the lease's timeout) must not crash the process:
  // the pool discards it and opens another when asked.
  pool.on('error', () => undefined);
  // The same for a connection in use: the server ends a session whose transaction outlived its
  // lease. The transaction's next statement fails (and is rolled back, its work left to others);
  // the pool drops the broken connection when it comes back.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    sendTogether(client);
  });
  let current: string;
  try {
    const client = await pool.connect();
    try {
      if (schema) await client.query(`create schema if not exists ${schema}`);
      current = (await client.query<{ s: string }>('select current_schema() as s')).rows[0].s;
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    const e = err as Error & { code?: string };
    throw new Error(`Cannot open the PostgreSQL database ${redactUrl(url)}: ${e.message || e.code || String(err)}`, { cause: err });
  }
  const db = new Kysely<DB>({ dialect: new OwnSchemaDialect({ pool }), ...(opts.log ? { log: opts.log } : {}) });
  registerDialect(db, postgresDialect(current));
  // The lease's other half: sessions stuck mid-statement on a frozen client (see StuckSessions).
  const stuck = new StuckSessions(db, lease);
  stuck.start();
  const end = pool.end.bind(pool) as () => Promise<void>;
  pool.end = (() => {
    stuck.stop();
    return end();
  }) as typeof pool.end;
  return db;
}

/** What Kysely sends as a statement's text to have it sent with the transaction's next one (see `sendTogether`). */
const DEFER = '/* scoremap: with the next statement */';
/** What Kysely sends as a statement's text to run the queries in its parameters in one round trip. */
const TOGETHER = '/* scoremap: together */';

/** A statement to send; `check` hears its rows once answered (a deferred read), and may refuse them by throwing. */
type Query = { readonly sql: string; readonly parameters: readonly unknown[]; readonly check?: (rows: unknown[]) => void };

/**
 * Teaches a connection of the pool to send several statements in one round trip (the client is
 * in pipeline mode: what is sent goes out at once, answers come back in order):
 *
 * - `begin`, and a statement sent as DEFER (a lock, a write whose answer nobody reads, a read that
 *   only checks), wait and go out with the connection's next statement. Their error, if any, is
 *   that statement's error (the first error in order: the statements after it fail only because
 *   it did), and so is a check's refusal;
 * - TOGETHER sends the queries it carries, and answers each one's rows;
 * - `rollback` drops what waits (it would be undone); a `commit` goes after the checks waiting
 *   with it have passed, never with them.
 *
 * A transaction's statements run in the order they were asked for, as before; only the waits
 * between them go. Kysely runs one statement at a time on a connection: this is below it.
 */
function sendTogether(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (config: string | pg.QueryConfig, values?: readonly unknown[]) => Promise<pg.QueryResult>;
  // A kept text goes as a named statement: parsed and planned once per connection (see `keep`).
  const send = (text: string, values?: readonly unknown[]): Promise<pg.QueryResult> => {
    const name = kept.get(text);
    return name ? query({ name, text, values: values as unknown[] }) : query(text, values);
  };
  const stream = (client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
  let waiting: Query[] = [];
  const empty = { command: '', rowCount: null, rows: [], fields: [], oid: 0 } as unknown as pg.QueryResult;

  /** Sends `queries` in one write and answers their results, or throws the first error or refusal. */
  const sendAll = async (queries: readonly Query[]): Promise<pg.QueryResult[]> => {
    // Each query corks its own messages; this holds them all until the last.
    stream.cork();
    let sent: Promise<pg.QueryResult>[];
    try {
      sent = queries.map((q) => send(q.sql, q.parameters));
    } finally {
      stream.uncork();
    }
    const settled = await Promise.allSettled(sent);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const results = settled.map((r) => (r as PromiseFulfilledResult<pg.QueryResult>).value);
    for (const [i, q] of queries.entries()) q.check?.(results[i]!.rows);
    return results;
  };

  client.query = function query(config: unknown, values?: unknown, callback?: unknown): unknown {
    if (typeof config !== 'string' || callback !== undefined) return (send as (...a: unknown[]) => unknown)(config, values, callback);
    if (config === 'begin' || config === DEFER) {
      waiting.push(config === DEFER ? (values as Query[])[0]! : { sql: config, parameters: [] });
      return Promise.resolve(empty);
    }
    if (config === 'rollback') waiting = [];
    if (waiting.length === 0 && config !== TOGETHER) return send(config, values as unknown[]);
    const before = waiting.length;
    const own = config === TOGETHER ? (values as Query[]) : [{ sql: config, parameters: (values as unknown[]) ?? [] }];
    const queries = [...waiting, ...own];
    waiting = [];
    if (config === 'commit' && queries.some((q) => q.check)) {
      // A check refuses before the commit, not after it.
      return sendAll(queries.slice(0, -1)).then(() => send(config, values as unknown[]));
    }
    return sendAll(queries).then((results) => (config === TOGETHER ? { ...empty, rows: results.slice(before).map((r) => r.rows) } : results[results.length - 1]));
  } as typeof client.query;
}

/**
 * What Kysely's migrator asks the database: which tables exist (its bookkeeping tables) and which
 * schemas. Kysely's own PostgreSQL introspector reads every schema of the server and asks
 * `has_schema_privilege` of each by name, which fails ("schema … does not exist") when another
 * database user drops a schema at that moment (a neighbour's throwaway test schema). This one
 * reads only the schema the connection works in.
 */
class OwnSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<any>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const rows = await sql<{ name: string }>`select current_schema() as name`.execute(this.db);
    return rows.rows.map((r) => ({ name: r.name }));
  }

  async getTables(): Promise<TableMetadata[]> {
    const rows = await sql<{ schema: string; name: string; kind: string }>`
      select n.nspname as schema, c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'v', 'p')
      order by c.relname`.execute(this.db);
    return rows.rows.map((r) => ({ schema: r.schema, name: r.name, isView: r.kind === 'v', columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

/** PostgreSQL as Kysely speaks it, with {@link OwnSchemaIntrospector}. */
class OwnSchemaDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db);
  }
}

/**
 * Errors that say the server cannot be reached now: the socket's (refused, reset, timed out), and
 * PostgreSQL's shutdown, crash recovery and too-many-connections codes (class 08 too: connection).
 */
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '53300']);

/** PostgreSQL's SQLSTATE codes Scoremap answers by running the transaction again. */
const RETRY = new Set(['40001', '40P01', '23505']);

/** Rows per batch statement (one JSON parameter each). */
const BATCH_ROWS = 5_000;

/** Sends `query` with the transaction's next statement (see `sendTogether`); outside a transaction, now. `check` hears its rows. */
async function defer(db: Kysely<DB>, query: CompiledQuery, check?: (rows: unknown[]) => void): Promise<void> {
  if (db.isTransaction) {
    const deferred: Query = { sql: query.sql, parameters: query.parameters, ...(check ? { check } : {}) };
    await db.executeQuery(CompiledQuery.raw(DEFER, [deferred]));
    return;
  }
  const { rows } = await db.executeQuery(query);
  check?.(rows as unknown[]);
}

/** Statement texts kept prepared on every connection, and each one's name there. */
const kept = new Map<string, string>();
/**
 * At most this many texts are kept: a contacts update's text depends on which fields a batch
 * changed, so their number follows the published maps; past it, new texts go unnamed as before.
 */
const KEPT_MAX = 1_000;

/**
 * Keeps a statement text prepared (see `Dialect.keep`), unless the columns it answers could change
 * while the server runs: a prepared `select *` would fail once a field adds a column
 * ("cached plan must not change result type"). PostgreSQL plans a kept statement again by itself
 * when a table it names changes.
 */
function keep(text: string): void {
  if (kept.has(text) || kept.size >= KEPT_MAX || /\*\s+from\b|returning\s+\*/i.test(text)) return;
  kept.set(text, `scoremap_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`);
}

const texts = new Map<string, string>();

/**
 * The text of a batch statement whose one parameter is its rows as JSON, compiled once per shape
 * (table and columns): the rows change from batch to batch, the text does not.
 */
function statementText(db: Kysely<DB>, shape: string, build: (json: string) => RawBuilder<unknown>): string {
  let text = texts.get(shape);
  if (text === undefined) {
    const q = build('[]').compile(db);
    if (q.parameters.length !== 1) throw new Error(`statementText: one parameter expected (${q.sql})`);
    text = q.sql;
    texts.set(shape, text);
    keep(text);
  }
  return text;
}

const lockIds = new RowStatement<{ ids: readonly string[] }>((db, p) => db.selectFrom('contacts').select('id').where('id', 'in', p.list('ids')).orderBy('id').forUpdate());
const lockFreeIds = new RowStatement<{ ids: readonly string[] }>((db, p) => db.selectFrom('contacts').select('id').where('id', 'in', p.list('ids')).orderBy('id').forUpdate().skipLocked());

/** `update … from json_populate_recordset(…)` statements for `rows` (the last row for a key wins, as when they run one by one), with the rows each carries. */
function updates(db: Kysely<DB>, table: string, set: readonly string[], where: readonly string[], rows: readonly Record<string, unknown>[]) {
  const keyOf = (r: Record<string, unknown>) => JSON.stringify(where.map((c) => r[c]));
  const last = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    last.delete(keyOf(r));
    last.set(keyOf(r), r);
  }
  const unique = [...last.values()];
  const text = statementText(db, `update\u0000${table}\u0000${set.join(',')}\u0000${where.join(',')}`, (json) => sql`update ${sql.table(table)} as t
      set ${sql.join(set.map((c) => sql`${sql.id(c)} = ${sql.ref(`v.${c}`)}`))}
      from json_populate_recordset(null::${sql.table(table)}, ${json}::json) with ordinality as v
      where ${sql.join(where.map((c) => sql`${sql.ref(`t.${c}`)} = ${sql.ref(`v.${c}`)}`), sql` and `)}
      returning v.ordinality as n`);
  const out: { part: Record<string, unknown>[]; query: CompiledQuery }[] & { keyOf?: typeof keyOf } = [];
  for (let i = 0; i < unique.length; i += BATCH_ROWS) {
    const part = unique.slice(i, i + BATCH_ROWS);
    out.push({ part, query: CompiledQuery.raw(text, [JSON.stringify(part)]) });
  }
  return Object.assign(out, { keyOf });
}

/**
 * PostgreSQL's answers for the Scoremap tables in `schema`. Its advisory locks (the world lock, job
 * locks) are database-wide: their keys name the schema, so installations in other schemas of the
 * same database never wait for each other.
 */
export function postgresDialect(schema: string): Dialect {
  const key = (name: string) => lockKey(`scoremap:${schema}:${name}`).toString();
  /** The world lock's key (an advisory lock: no table, released with the transaction or connection). */
  const WORLD = key('world');
  const shareWorld = CompiledQuery.raw('select pg_advisory_xact_lock_shared($1::bigint)', [WORLD]);
  keep(shareWorld.sql);
  return {
    name: 'postgres',
    shared: true,

    autoId: { type: 'bigint', define: (col) => col.primaryKey().generatedByDefaultAsIdentity() },

    async lockContacts(db, ids, opts = {}) {
      if (ids.length === 0) return new Set();
      const sorted = [...new Set(ids)].sort();
      const held = new Set<string>();
      for (let i = 0; i < sorted.length; i += 5_000) {
        const part = sorted.slice(i, i + 5_000);
        if (opts.later) await defer(db, lockIds.with(db, { ids: part }).compile());
        else for (const r of await (opts.skipLocked ? lockFreeIds : lockIds).all<{ id: string }>(db, { ids: part })) held.add(r.id);
      }
      return held;
    },

    async claimDuePositions(db, mapId, upTo, limit) {
      // The contact's row is the claim: the batch that holds it is the only one working on that
      // contact, whatever map or trigger the work comes from, and an event for it waits its turn.
      // The position is locked too: rows are read as of the statement's start and locked after, and
      // a locked row that another process changed and committed in between is read again (and its
      // due time tested again), so the claim never answers a due time already moved on from.
      const rows = await db
        .selectFrom('positions as p')
        .innerJoin('contacts as c', 'c.id', 'p.contact_id')
        .select(['p.contact_id', 'p.due_at'])
        .where('p.map_id', '=', mapId)
        .where('p.due_at', 'is not', null)
        .where('p.due_at', '<=', upTo)
        .orderBy('p.due_at')
        .orderBy('p.contact_id')
        .limit(limit)
        .forUpdate(['c', 'p'])
        .skipLocked()
        .execute();
      return rows.map((r) => ({ contactId: r.contact_id, dueAt: Number(r.due_at) }));
    },

    async claimDueDateTimers(db, mapId, upTo, limit) {
      const rows = await db
        .selectFrom('date_timers as t')
        .innerJoin('contacts as c', 'c.id', 't.contact_id')
        .select(['t.contact_id', 't.element_id', 't.armed_value', 't.due_at'])
        .where('t.map_id', '=', mapId)
        .where('t.due_at', 'is not', null)
        .where('t.due_at', '<=', upTo)
        .orderBy('t.due_at')
        .orderBy('t.contact_id')
        .orderBy('t.element_id')
        .limit(limit)
        .forUpdate('c')
        .skipLocked()
        .execute();
      if (rows.length === 0) return [];
      // The timers were read as of the statement's start, the locks taken after: one another process
      // fired and committed in that instant would fire again. Read them again, now that no one else can
      // change them (a wake needs no such look: the engine checks the place it loads after the lock).
      const now = await db
        .selectFrom('date_timers')
        .select(['contact_id', 'element_id', 'armed_value', 'due_at'])
        .where('map_id', '=', mapId)
        .where('contact_id', 'in', [...new Set(rows.map((r) => r.contact_id))])
        .where('due_at', 'is not', null)
        .execute();
      const key = (r: { contact_id: string; element_id: string; armed_value: number; due_at: number | null }) =>
        `${r.contact_id}\u0000${r.element_id}\u0000${Number(r.armed_value)}\u0000${Number(r.due_at)}`;
      const still = new Set(now.map(key));
      return rows.filter((r) => still.has(key(r))).map((r) => ({ contactId: r.contact_id, elementId: r.element_id, armedValue: Number(r.armed_value), dueAt: Number(r.due_at) }));
    },

    async tryJobLock(db, job) {
      const { rows } = await sql<{ taken: boolean }>`select pg_try_advisory_xact_lock(${key(`job:${job}`)}::bigint) as taken`.execute(db);
      return rows[0]?.taken === true;
    },

    async shareWorld(db) {
      await defer(db, shareWorld);
    },

    defer,
    keep,

    async together(db, queries) {
      if (queries.length === 0) return [];
      const { rows } = await db.executeQuery<unknown[]>(CompiledQuery.raw(TOGETHER, queries.map((q) => ({ sql: q.sql, parameters: q.parameters }))));
      return rows as unknown[][];
    },

    async exclusively(db, fn) {
      // A session lock on one connection of the pool, held while `fn` works through the others.
      return db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(${WORLD}::bigint)`.execute(conn);
        try {
          return await fn();
        } finally {
          await sql`select pg_advisory_unlock(${WORLD}::bigint)`.execute(conn);
        }
      });
    },

    batch: {
      // One statement per batch: the rows travel as one JSON parameter, typed by the table's own row
      // type (json_populate_recordset), in their order (ids of inserted rows increase in that order).
      // Sent with the transaction's next statement: nothing reads its answer.
      async insert(db, table, rows) {
        if (rows.length === 0) return;
        const columns = Object.keys(rows[0]);
        const text = statementText(db, `insert\u0000${table}\u0000${columns.join(',')}`, (json) => sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.id(c)))})
            select ${sql.join(columns.map((c) => sql.ref(`v.${c}`)))}
            from json_populate_recordset(null::${sql.table(table)}, ${json}::json) with ordinality as v order by v.ordinality`);
        for (let i = 0; i < rows.length; i += BATCH_ROWS) {
          await defer(db, CompiledQuery.raw(text, [JSON.stringify(rows.slice(i, i + BATCH_ROWS))]));
        }
      },
      async update(db, table, set, where, rows) {
        const matched = new Set<string>();
        const statements = updates(db, table, set, where, rows);
        for (const { part, query } of statements) {
          const { rows: hit } = await db.executeQuery<{ n: number }>(query);
          for (const h of hit) matched.add(statements.keyOf(part[Number(h.n) - 1]));
        }
        return rows.map((r) => matched.has(statements.keyOf(r)));
      },
      // Sent with the transaction's next statement: nothing reads its answer.
      async updateLater(db, table, set, where, rows) {
        for (const { query } of updates(db, table, set, where, rows)) await defer(db, query);
      },
    },

    async syncIds(db, table, column) {
      // An identity column's sequence does not see ids given explicitly: set it to the largest.
      await sql`select setval(pg_get_serial_sequence(${table}, ${column}), coalesce(max(${sql.ref(column)}), 0) + 1, false) from ${sql.table(table)}`.execute(db);
    },

    isUnavailable: (err) => {
      const { code, message } = (err ?? {}) as { code?: string; message?: string };
      return (code !== undefined && (UNAVAILABLE.has(code) || code.startsWith('08')))
        || /Connection terminated|timeout exceeded when trying to connect/.test(message ?? '');
    },
    isRetryable: (err) => RETRY.has((err as { code?: string })?.code ?? ''),
    isUniqueViolation: (err) => (err as { code?: string })?.code === '23505',
    fence: sql`offset 0`,
  };
}
