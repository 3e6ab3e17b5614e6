/**
 * `scoremap users` (SPEC §12): add, list, remove and reset-password on the server's database, with
 * the database chosen as the other commands choose it; a password made and printed once, or read
 * from stdin; the first-admin and last-admin rules; and the server then signs those people in.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli-run.js';
import { Store } from '../server/store/store.js';
import { verifyPassword } from '../server/people/password.js';
import { findByEmail } from '../server/people/store.js';
import { onPostgres, testDatabase } from '../server/store/testing.js';

/** A database for one test: a new SQLite file, or a new PostgreSQL schema. */
const freshDb = () => (onPostgres ? testDatabase() : join(mkdtempSync(join(tmpdir(), 'scoremap-users-')), 'scoremap.db'));

async function withStore<T>(db: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Runs bin/scoremap.js with `input` on stdin (for --password-stdin). */
function runWithStdin(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['bin/scoremap.js', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    proc.stdin.end(input);
  });
}

describe('scoremap users', () => {
  it('explains itself and is listed in the main help', async () => {
    const help = await cli(['users', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: scoremap users <add\|list\|remove\|reset-password>/);
    expect((await cli(['--help'])).stdout).toMatch(/users add\|list\|remove\|reset-password/);
    for (const args of [['users'], ['users', 'promote'], ['users', 'add', '--email', 'a@b.c', '--name', 'A'], ['users', 'add', '--email', 'nope', '--name', 'A', '--role', 'admin'], ['users', 'remove']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/Usage: scoremap users/);
    }
  });

  it('adds the first admin with a password printed once, lists, resets and removes; the first must be an admin, the last admin stays', async () => {
    const db = freshDb();
    const first = await cli(['users', 'add', '--email', 'sales@acme.test', '--name', 'Sam', '--role', 'sales', '--db', db]);
    expect(first.code).toBe(1);
    expect(first.stderr).toBe('The first person must be an admin (--role admin): they then add the others\n');

    const added = await cli(['users', 'add', '--email', 'Ana@Acme.test', '--name', 'Ana Admin', '--role', 'admin', '--db', db]);
    expect(added.code).toBe(0);
    const password = /Their password \(shown this once\): (\S+)\n/.exec(added.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await withStore(db, async (s) => {
      const ana = await findByEmail(s.db, 'ana@acme.test');
      expect(ana).toMatchObject({ name: 'Ana Admin', role: 'admin', email: 'ana@acme.test' });
      expect(ana!.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
      expect(await verifyPassword(password!, ana!.passwordHash)).toBe(true);
    });
    expect((await cli(['users', 'add', '--email', 'ana@acme.test', '--name', 'Again', '--role', 'viewer', '--db', db])).stderr).toMatch(/already signs in with ana@acme.test/);
    expect((await cli(['users', 'add', '--email', 'sam@acme.test', '--name', 'Sam', '--role', 'sales', '--db', db])).code).toBe(0);

    const list = await cli(['users', 'list', '--db', db, '--json']);
    expect(JSON.parse(list.stdout)).toEqual([
      { email: 'ana@acme.test', name: 'Ana Admin', role: 'admin', lastSeenAt: null },
      { email: 'sam@acme.test', name: 'Sam', role: 'sales', lastSeenAt: null },
    ]);
    expect((await cli(['users', 'list', '--db', db])).stdout).toMatch(/^ana@acme\.test\s+admin\s+Ana Admin\n/);

    const last = await cli(['users', 'remove', 'ana@acme.test', '--db', db]);
    expect(last.code).toBe(1);
    expect(last.stderr).toBe('Ana Admin is the last admin and cannot be removed: make someone else an admin first\n');

    const reset = await cli(['users', 'reset-password', 'SAM@acme.test', '--db', db]);
    expect(reset.code).toBe(0);
    const newOne = /The new password \(shown this once\): (\S+)\n/.exec(reset.stdout)?.[1];
    await withStore(db, async (s) => expect(await verifyPassword(newOne!, (await findByEmail(s.db, 'sam@acme.test'))!.passwordHash)).toBe(true));

    expect((await cli(['users', 'remove', 'sam@acme.test', '--db', db])).code).toBe(0);
    const gone = await cli(['users', 'remove', 'sam@acme.test', '--db', db]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/No one signs in with sam@acme.test/);

    await withStore(db, async (s) => {
      const audit = await s.db.selectFrom('audit_log').select(['actor_kind', 'actor_name', 'action']).orderBy('id').execute();
      expect(audit.map((a) => a.action)).toEqual(['person.add', 'person.add', 'person.password', 'person.remove']);
      expect(new Set(audit.map((a) => `${a.actor_kind}:${a.actor_name}`))).toEqual(new Set(['system:the command line']));
    });
  });

  it('takes the password from stdin with --password-stdin (and refuses a short one), opening the database from SCOREMAP_DATABASE_URL too', async () => {
    const db = freshDb();
    const short = await runWithStdin(['users', 'add', '--email', 'ana@acme.test', '--name', 'Ana', '--role', 'admin', '--password-stdin', '--db', db], 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/^The password read from stdin has 5 characters: give at least 10/);
    const ok = await runWithStdin(['users', 'add', '--email', 'ana@acme.test', '--name', 'Ana', '--role', 'admin', '--password-stdin', '--db', db], 'a password from a pipe\n');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('Added Ana <ana@acme.test> as admin.\n');
    await withStore(db, async (s) => expect(await verifyPassword('a password from a pipe', (await findByEmail(s.db, 'ana@acme.test'))!.passwordHash)).toBe(true));
    const before = process.env.SCOREMAP_DATABASE_URL;
    process.env.SCOREMAP_DATABASE_URL = db;
    try {
      expect(JSON.parse((await cli(['users', 'list', '--json'])).stdout).map((p: { email: string }) => p.email)).toEqual(['ana@acme.test']);
    } finally {
      if (before === undefined) delete process.env.SCOREMAP_DATABASE_URL;
      else process.env.SCOREMAP_DATABASE_URL = before;
    }
  });
});
