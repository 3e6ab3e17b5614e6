import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from './sqlite.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'scoremap-ckpt-'));
  dirs.push(dir);
  return join(dir, 'scoremap.db');
};

/** Resolves once `test` holds, looking between turns of the event loop; a slow machine only waits longer. */
async function until(test: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!test()) {
    if (Date.now() - started > 60_000) throw new Error(`never happened: ${what}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

describe('the background checkpointer', () => {
  it('copies committed pages back into the database from its own thread, and the writer, closing last, removes the log', async () => {
    const file = tempFile();
    const { db, checkpointer } = openSqlite(file);
    expect(checkpointer).toBeDefined();
    await sql`create table t (id integer primary key, body text not null)`.execute(db);
    // Many small commits, far fewer pages than the writer's own checkpoint threshold.
    for (let i = 0; i < 200; i++) await db.transaction().execute((tx) => sql`insert into t (body) values (${'x'.repeat(2_000)})`.execute(tx));
    await until(() => checkpointer!.stats.frames > 0, 'a checkpoint by the thread');
    expect(checkpointer!.stats.errors).toBe(0);
    await db.destroy();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = new Database(file, { readonly: true });
    try {
      expect((reopened.prepare('select count(*) as n from t').get() as { n: number }).n).toBe(200);
    } finally {
      reopened.close();
    }
  });

  it('is not started for a database in memory, or when turned off', async () => {
    const memory = openSqlite(':memory:');
    expect(memory.checkpointer).toBeUndefined();
    await memory.db.destroy();
    const off = openSqlite(tempFile(), { checkpointer: false });
    expect(off.checkpointer).toBeUndefined();
    await off.db.destroy();
  });
});
