/**
 * A process frozen in the middle of a statement keeps its claims on PostgreSQL: the server's own
 * timeout ends only sessions idle in their transaction, and these count as active. Every Scoremap
 * process ends them once they have waited on their client for a lease (`StuckSessions`).
 */
import pg from 'pg';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Store } from './store.js';
import { StuckSessions } from './stuck-sessions.js';
import { onPostgres, openTestStore } from './testing.js';

const LEASE = 1_000;
const opened: { close(): Promise<void> }[] = [];
const clients: pg.Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.end().catch(() => undefined);
  for (const o of opened.splice(0)) await o.close();
});

/** A store whose own leases are long: only the sweeps the test makes end anything. */
async function store(): Promise<Store> {
  const s = await openTestStore({ leaseMs: 10 * 60_000 });
  opened.push(s);
  return s;
}

/** A plain connection to `s`'s database and schema, in a transaction, as another process. */
async function session(s: Store): Promise<{ client: pg.Client; pid: number }> {
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(s.db)).rows[0].s;
  const url = new URL(process.env.SCOREMAP_TEST_PG!);
  const client = new pg.Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
  clients.push(client);
  client.on('error', () => undefined);
  await client.connect();
  const pid = (await client.query<{ p: number }>('select pg_backend_pid() as p')).rows[0].p;
  await client.query('begin');
  return { client, pid };
}

/** The client stops reading (frozen), then asks for an answer far larger than the socket's buffers. */
function freezeReading(client: pg.Client): void {
  (client as unknown as { connection: { stream: { pause(): void } } }).connection.stream.pause();
  client.query("select repeat('x', 1000) from generate_series(1, 200000)").catch(() => undefined);
}

/** The client sends a statement and freezes before the message that completes it (its Sync). */
function freezeMidStatement(client: pg.Client, text: string): void {
  const connection = (client as unknown as { connection: { parse(q: object): void; bind(q: object): void; execute(q: object): void; flush(): void } }).connection;
  connection.parse({ text });
  connection.bind({});
  connection.execute({});
  connection.flush();
}

/** Until the session is in the middle of a statement and waiting on its client (an idle one waits on it too: ClientRead). */
async function waitingOnClient(s: Store, pid: number): Promise<void> {
  await vi.waitFor(async () => {
    const { rows } = await sql<{ state: string; w: string | null }>`select state, wait_event as w from pg_stat_activity where pid = ${pid}::int`.execute(s.db);
    expect(rows[0]).toMatchObject({ state: 'active', w: expect.stringMatching(/^Client(Read|Write)$/) });
  }, { timeout: 60_000, interval: 50 });
}

async function alive(s: Store, pid: number): Promise<boolean> {
  const { rows } = await sql`select 1 from pg_stat_activity where pid = ${pid}::int`.execute(s.db);
  return rows.length > 0;
}

describe.skipIf(!onPostgres)('sessions stuck on a frozen client', () => {
  it('ends one frozen while its answer fills the socket, holding a claim, once a whole lease has passed', async () => {
    const s = await store();
    const frozen = await session(s);
    await frozen.client.query('select id from contacts for update');
    freezeReading(frozen.client);
    await waitingOnClient(s, frozen.pid);
    let now = 0;
    const sweeper = new StuckSessions(s.db, LEASE, () => now);
    expect(await sweeper.sweep()).toEqual([]);
    now = LEASE - 1;
    expect(await sweeper.sweep()).toEqual([]);
    now = LEASE;
    expect(await sweeper.sweep()).toEqual([frozen.pid]);
    await vi.waitFor(async () => expect(await alive(s, frozen.pid)).toBe(false), { timeout: 60_000, interval: 50 });
    // Its locks went with it: a write on the table it claimed goes through.
    await s.db.transaction().execute((tx) => sql`lock table contacts in exclusive mode nowait`.execute(tx));
  });

  it('ends one frozen before the end of a statement that writes', async () => {
    const s = await store();
    const frozen = await session(s);
    freezeMidStatement(frozen.client, "update fields set label = label where key = 'nobody'");
    await waitingOnClient(s, frozen.pid);
    let now = 0;
    const sweeper = new StuckSessions(s.db, LEASE, () => now);
    await sweeper.sweep();
    now = LEASE;
    expect(await sweeper.sweep()).toEqual([frozen.pid]);
  });

  it('leaves alone a frozen reader, a session of another installation, and one that is only idle', async () => {
    const s = await store();
    const other = await store();
    const claimer = await session(s);
    await claimer.client.query('select id from contacts for update');
    freezeReading(claimer.client);
    // A report frozen while reading: it holds no claim, nothing waits for it.
    const reader = await session(s);
    freezeReading(reader.client);
    // Another installation's worker, in its own schema: its processes see to it, with their lease.
    const elsewhere = await session(other);
    await elsewhere.client.query('select id from contacts for update');
    freezeReading(elsewhere.client);
    // Idle in its transaction: the server's own timeout is for it.
    const idle = await session(s);
    await idle.client.query('select id from contacts for update');
    for (const pid of [claimer.pid, reader.pid, elsewhere.pid]) await waitingOnClient(s, pid);
    let now = 0;
    const sweeper = new StuckSessions(s.db, LEASE, () => now);
    await sweeper.sweep();
    now = LEASE;
    expect(await sweeper.sweep()).toEqual([claimer.pid]);
    for (const pid of [reader.pid, elsewhere.pid, idle.pid]) expect(await alive(s, pid)).toBe(true);
  });

  it('every process on PostgreSQL sweeps by itself, with its lease', async () => {
    const s = await openTestStore({ leaseMs: LEASE });
    opened.push(s);
    const frozen = await session(s);
    await frozen.client.query('select id from contacts for update');
    freezeReading(frozen.client);
    await vi.waitFor(async () => expect(await alive(s, frozen.pid)).toBe(false), { timeout: 60_000, interval: 100 });
  });
});
