/**
 * The SQL share of an engine run: every statement the engine issues (Kysely's and the direct
 * ones, in order, with their parameters and transaction boundaries) is run again on a copy of
 * the database as it was before, and only SQLite's time is counted. What the engine takes beyond
 * that is its own code: building work, the maps' logic, converting rows.
 */
import { copyFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { LogEvent } from 'kysely';
import { ManualClock } from '../engine/clock.js';
import { Runtime } from '../server/runtime/runtime.js';
import { applyPragmas } from '../server/store/sqlite.js';
import { Store } from '../server/store/store.js';
import { T0 } from './common.js';

/** One statement's shape (its text, lists of placeholders folded) and what it cost while measured. */
export interface ShapeCost {
  ms: number;
  count: number;
  /** Rows read or changed. */
  rows: number;
}

export class SqlReplay {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  /** Milliseconds SQLite spent on the statements run while `measuring`. */
  ms = 0;
  statements = 0;
  /** The measured statements by shape (see {@link ShapeCost}). */
  readonly shapes = new Map<string, ShapeCost>();
  /** Statements outside the measured part (opening the store) are run but not counted. */
  measuring = false;

  /**
   * Replays onto `copy`, a copy of `original` made now (close the original's store first). With
   * `checkpoints: false` the log is not checkpointed inside commits, as the engine's own connection
   * leaves it to the checkpointer thread; by default SQLite's own checkpoints run, as on a plain connection.
   */
  constructor(original: string, copy: string, opts: { checkpoints?: boolean } = {}) {
    copyFileSync(original, copy);
    this.#db = new Database(copy);
    applyPragmas(this.#db);
    if (opts.checkpoints === false) this.#db.pragma('wal_autocheckpoint = 0');
  }

  /** Kysely's log function: pass it as `Store.open(path, { log })`. */
  readonly log = (e: LogEvent): void => {
    if (e.level !== 'query') return;
    const { sql, parameters } = e.query;
    let stmt = this.#statements.get(sql);
    if (!stmt) this.#statements.set(sql, (stmt = this.#db.prepare(sql)));
    const t = process.hrtime.bigint();
    const rows = stmt.reader ? stmt.all(parameters as unknown[]).length : stmt.run(parameters as unknown[]).changes;
    if (this.measuring) {
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      this.ms += ms;
      this.statements++;
      const shape = sql.replace(/\s+/g, ' ').replace(/\(\?(, \?)*\)/g, '(…)').replace(/(, \(…\))+/g, ', …');
      const c = this.shapes.get(shape) ?? { ms: 0, count: 0, rows: 0 };
      this.shapes.set(shape, c);
      c.ms += ms;
      c.count++;
      c.rows += rows;
    }
  };

  close(): void {
    this.#db.close();
  }
}

/**
 * SQLite's milliseconds for `work` on the database `before` (closed): the work runs on a copy
 * (`logged`, a runtime on a manual clock at T0) and its statements are replayed on another copy.
 */
export async function sqlTimeOf(before: string, logged: string, replayed: string, work: (rt: Runtime, clock: ManualClock) => Promise<void>): Promise<number> {
  copyFileSync(before, logged);
  const replay = new SqlReplay(before, replayed);
  try {
    const store = await Store.open(logged, { log: replay.log });
    const clock = new ManualClock(T0);
    const rt = await Runtime.create({ store, clock });
    replay.measuring = true;
    await work(rt, clock);
    replay.measuring = false;
    await store.close();
    return replay.ms;
  } finally {
    replay.close();
  }
}
