import { randomUUID } from 'node:crypto';
import { COMMAND_LINE, recordAudit } from '../audit/log.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/store.js';
import { ROLES, type Role } from './roles.js';
import { PASSWORD_MAX, PASSWORD_MIN, hashPassword, newPassword } from './password.js';
import { endSessionsOf } from './sessions.js';
import { EMAIL_PATTERN, countPeople, deletePerson, findByEmail, insertPerson, keepAnAdmin, lastSeen, listPeople, normEmail, setPasswordHash } from './store.js';

/** `scoremap users --help`. */
export const USERS_HELP = `Usage: scoremap users <add|list|remove|reset-password> [options] [--db ./data/scoremap.db]

Manages the people who sign in to the editor (docs/people.md), on the server's database, whether or not
a server is running. Changes are written to the audit log as made by "the command line".

  users add --email E --name N --role R [--password-stdin]
                 adds a person; without --password-stdin a password is made and printed once
                 (the first person must be an admin)
  users list     lists the people: email, name, role, last seen
  users remove <email>
                 removes a person and ends their sessions (not the last admin)
  users reset-password <email> [--password-stdin]
                 sets a new password (made and printed once, or read from stdin) and ends their sessions

Roles: viewer (reads), sales (also works leads), editor (also changes maps, models, fields),
admin (also people, keys, webhooks, settings). Passwords have at least ${PASSWORD_MIN} characters.

Options:
  --email E         the person's email (add)
  --name N          the person's name, as others see it (add)
  --role R          viewer, sales, editor or admin (add)
  --password-stdin  read the password from stdin (one line) instead of making one
  --db FILE|URL     the database [SCOREMAP_DATABASE_URL, SCOREMAP_DB] (default ./data/scoremap.db)
  --json            print JSON (list)
  --help            this help`;

/** The options `users` takes (node:util parseArgs). */
export const USERS_OPTIONS = {
  email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' },
  db: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

/** Who the command line's changes are by, in the audit log. */

interface UsersIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  /** All of stdin, as text (only read with --password-stdin). */
  readonly stdin: () => Promise<string>;
  /** Opens the database (null: it could not be, and the reason was told). */
  readonly open: () => Promise<Store | null>;
  readonly now?: () => number;
}

/** The password from stdin: its first line, without the line end. */
async function passwordFrom(io: UsersIo): Promise<string | { error: string }> {
  const text = await io.stdin();
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line.length < PASSWORD_MIN) return { error: `The password read from stdin has ${line.length} characters: give at least ${PASSWORD_MIN}` };
  if (line.length > PASSWORD_MAX) return { error: `The password read from stdin is longer than ${PASSWORD_MAX} characters` };
  return line;
}

/** The password of `add` and `reset-password`: read from stdin with `--password-stdin`, else made (`made`: print it once). */
async function passwordOf(io: UsersIo, values: Record<string, string | boolean | undefined>): Promise<{ password: string; made: boolean } | { error: string }> {
  if (!values['password-stdin']) return { password: newPassword(), made: true };
  const read = await passwordFrom(io);
  return typeof read === 'string' ? { password: read, made: false } : read;
}

/** Runs `scoremap users …`; answers the exit status (2: bad usage, 1: refused or failed). */
export async function usersCommand(positionals: readonly string[], values: Record<string, string | boolean | undefined>, io: UsersIo): Promise<number> {
  const [sub, ...args] = positionals;
  const usage = (why: string) => {
    io.err(`${why}\n\n${USERS_HELP}\n`);
    return 2;
  };
  const now = io.now ?? Date.now;
  if (sub === 'add') {
    const email = typeof values.email === 'string' ? normEmail(values.email) : '';
    const name = typeof values.name === 'string' ? values.name.trim() : '';
    const role = values.role as Role;
    if (args.length) return usage(`"users add" takes no arguments: give --email, --name and --role`);
    if (!EMAIL_PATTERN.test(email)) return usage(`Give the person's email with --email (like --email ana@example.com)`);
    if (!name || name.length > 100) return usage(`Give the person's name with --name (at most 100 characters)`);
    if (!ROLES.includes(role)) return usage(`Give the role with --role: viewer, sales, editor or admin`);
    const given = await passwordOf(io, values);
    if ('error' in given) return usage(given.error);
    const { password, made } = given;
    return withStore(io, async (store) => {
      const hash = await hashPassword(password);
      await store.transaction(async (s) => {
        if (role !== 'admin' && (await countPeople(s.db)) === 0) throw new AppError(400, 'The first person must be an admin (--role admin): they then add the others');
        if (await findByEmail(s.db, email)) throw new AppError(409, `Someone already signs in with ${email}: each person has their own email`);
        const at = now();
        const p = await insertPerson(s.db, { id: randomUUID(), email, name, role, passwordHash: hash, now: at });
        await recordAudit(s.db, COMMAND_LINE, { action: 'person.add', targetType: 'person', targetId: p.id, summary: `Added ${p.name} (${p.email}) as ${p.role}`, detail: { email: p.email, role: p.role } }, at);
      });
      io.out(`Added ${name} <${email}> as ${role}.\n`);
      if (made) io.out(`Their password (shown this once): ${password}\n`);
      return 0;
    });
  }
  if (sub === 'list') {
    if (args.length) return usage('"users list" takes no arguments');
    return withStore(io, async (store) => {
      const [people, seen] = await Promise.all([listPeople(store.db), lastSeen(store.db)]);
      const rows = people.map((p) => ({ email: p.email, name: p.name, role: p.role, lastSeenAt: seen.has(p.id) ? new Date(seen.get(p.id)!).toISOString() : null }));
      if (values.json) io.out(`${JSON.stringify(rows, null, 2)}\n`);
      else if (!rows.length) io.out('No people yet: add the first admin with "scoremap users add --email … --name … --role admin".\n');
      else for (const r of rows) io.out(`${r.email.padEnd(32)} ${r.role.padEnd(7)} ${r.name}${r.lastSeenAt ? `  (last seen ${r.lastSeenAt})` : ''}\n`);
      return 0;
    });
  }
  if (sub === 'remove' || sub === 'reset-password') {
    if (args.length !== 1) return usage(`Give one email: scoremap users ${sub} <email>`);
    const email = normEmail(args[0]);
    let password: string | undefined;
    let made = false;
    if (sub === 'reset-password') {
      const given = await passwordOf(io, values);
      if ('error' in given) return usage(given.error);
      ({ password, made } = given);
    }
    return withStore(io, async (store) => {
      const hash = password === undefined ? undefined : await hashPassword(password);
      const ended = await store.transaction(async (s) => {
        const p = await findByEmail(s.db, email);
        if (!p) throw new AppError(404, `No one signs in with ${email} (see "scoremap users list")`);
        const at = now();
        if (hash === undefined) {
          await keepAnAdmin(s.db, p, 'removed');
          await deletePerson(s.db, p.id);
          await recordAudit(s.db, COMMAND_LINE, { action: 'person.remove', targetType: 'person', targetId: p.id, summary: `Removed ${p.name} (${p.email}, ${p.role})`, detail: { id: p.id, email: p.email, name: p.name, role: p.role } }, at);
          return 0;
        }
        await setPasswordHash(s.db, p.id, hash, at);
        const n = await endSessionsOf(s.db, p.id);
        await recordAudit(s.db, COMMAND_LINE, { action: 'person.password', targetType: 'person', targetId: p.id, summary: `Reset the password of ${p.name} (${n} session${n === 1 ? '' : 's'} ended)` }, at);
        return n;
      });
      if (sub === 'remove') io.out(`Removed ${email}; their sessions ended.\n`);
      else {
        io.out(`Set a new password for ${email}; ${ended} session${ended === 1 ? '' : 's'} ended.\n`);
        if (made) io.out(`The new password (shown this once): ${password}\n`);
      }
      return 0;
    });
  }
  return usage(sub ? `Unknown users command "${sub}"` : 'Say what to do: add, list, remove or reset-password');
}

/** Opens the database for one users command and closes it whatever happens; a refusal is said in words (exit 1). */
async function withStore(io: UsersIo, fn: (store: Store) => Promise<number>): Promise<number> {
  const store = await io.open();
  if (!store) return 1;
  try {
    return await fn(store);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    io.err(`${e.message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

/** Reads all of the process's stdin. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
