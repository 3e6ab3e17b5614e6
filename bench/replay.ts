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

export class SqlReplay {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  /** Milliseconds SQLite spent on the statements run while `measuring`. */
  ms = 0;
  statements = 0;
  /** Statements outside the measured part (opening the store) are run but not counted. */
  measuring = false;

  /** Replays onto `copy`, a copy of `original` made now (close the original's store first). */
  constructor(original: string, copy: string) {
    copyFileSync(original, copy);
    this.#db = new Database(copy);
    applyPragmas(this.#db);
  }

  /** Kysely's log function: pass it as `Store.open(path, { log })`. */
  readonly log = (e: LogEvent): void => {
    if (e.level !== 'query') return;
    const { sql, parameters } = e.query;
    let stmt = this.#statements.get(sql);
    if (!stmt) this.#statements.set(sql, (stmt = this.#db.prepare(sql)));
    const t = process.hrtime.bigint();
    if (stmt.reader) stmt.all(parameters as unknown[]);
    else stmt.run(parameters as unknown[]);
    if (this.measuring) {
      this.ms += Number(process.hrtime.bigint() - t) / 1e6;
      this.statements++;
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
