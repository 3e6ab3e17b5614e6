/**
 * Data in without code (SPEC §10): the intake workload through Segment's door beside our own.
 *
 * The event intake figure's workload (its five templates, its events over events / 5 contacts,
 * 1,000 to a request, two requests in flight from a child process) sent over 127.0.0.1 two ways, each
 * to a server of its own on a fresh database, in turn, in two rounds (the order swapped in the
 * second); the faster run of each counts:
 * - `POST /api/events`: the events as the intake figure sends them (contacts named by email);
 * - `POST /v1/batch`: the same events as @segment/analytics-node sends them from a server app
 *   (bench/segment-events.mjs): `track` calls `Email Link Clicked` and `Form Submitted`, `page`
 *   calls for the page views, each naming the person by `userId`, the first call about a person
 *   also carrying `context.traits.email`; HTTP Basic with an ingest key. Both doors use that key.
 * Then both databases must hold the same contacts (by email) with the same fields (the scores
 * among them), tags, events and places on the maps: the external id each /v1 contact also has
 * aside.
 *
 * Merges (optional): on the last /v1 server, `visitors` anonymous visitors view the pricing page
 * twice, then identify as users already known (each identify merges one anonymous contact into its
 * person), in batches of 100 beside identifies of as many other known users from browsers never
 * seen (nothing to merge), one request at a time, in turn.
 */
import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { scratch } from './common.js';
import { runClient, startIntakeServer } from './intake.js';
import { anonymousPages } from './segment-events.mjs';

/** Identify calls in one request of the merge figure. */
export const MERGE_BATCH = 100;
const ROUNDS = 2;

export interface SegmentResult {
  readonly events: number;
  readonly contacts: number;
  /** Events per second through POST /api/events, batches of 1,000, effects committed. */
  readonly apiEvents: number;
  /** The same events as Segment calls through POST /v1/batch, per second. */
  readonly v1: number;
  /** `v1` over `apiEvents`. */
  readonly ratio: number;
  /** The same ratio in the server's CPU time (this process's, where the servers run) rather than the clock's. */
  readonly cpuRatio: number;
  /** The largest /v1 batch body sent, in bytes (Segment's limit: 500 KB). */
  readonly largestBatchBytes: number;
  /** Contacts compared between the two databases and found the same (every one: else the benchmark fails). */
  readonly sameContacts: number;
  /** The merge figure, when the plan asks for it. */
  readonly merges?: {
    readonly visitors: number;
    /** Anonymous page calls per second (the visitors' two page views each, batches of 1,000). */
    readonly anonymousPages: number;
    /** Identifies per second that each merge an anonymous contact into its known person. */
    readonly perSecond: number;
    /** Identifies per second of known people from a browser never seen: nothing to merge. */
    readonly plainIdentifies: number;
    /** `perSecond` over `plainIdentifies`. */
    readonly ratio: number;
  };
}

const SEGMENT_CLIENT = fileURLToPath(new URL('./segment-client.mjs', import.meta.url));
const INTAKE_CLIENT = fileURLToPath(new URL('./intake-client.mjs', import.meta.url));

/** POST /api/events, or POST /v1/batch. */
export type Door = 'events' | 'v1';

/** Both doors on `events` events over `events / 5` contacts, and the merge figure for `visitors` (0: not run). */
export async function segmentIntake(o: { events: number; visitors: number }): Promise<SegmentResult> {
  const { events } = o;
  const contacts = Math.max(1, Math.floor(events / 5));
  // Visitors identify as users 0…V-1; users V…2V-1 identify with nothing to merge.
  const visitors = Math.min(o.visitors, Math.floor(contacts / 2));
  const tmp = scratch();
  try {
    const best: Record<Door, { ms: number; cpuMs: number }> = { events: { ms: Infinity, cpuMs: Infinity }, v1: { ms: Infinity, cpuMs: Infinity } };
    let largestBatchBytes = 0;
    let sameContacts = 0;
    let merges: SegmentResult['merges'];
    for (let round = 0; round < ROUNDS; round++) {
      const snapshots: Partial<Record<Door, Snapshot>> = {};
      const doors: Door[] = round % 2 === 0 ? ['events', 'v1'] : ['v1', 'events'];
      for (const door of doors) {
        // The merge figure once, on the last /v1 server, after its snapshot.
        const withMerges = door === 'v1' && round === ROUNDS - 1 ? visitors : 0;
        const run = await runDoor(tmp.file(`${door}-${round}.db`), door, events, withMerges);
        best[door] = { ms: Math.min(best[door].ms, run.ms), cpuMs: Math.min(best[door].cpuMs, run.cpuMs) };
        largestBatchBytes = Math.max(largestBatchBytes, run.largestBatchBytes);
        snapshots[door] = run.snapshot;
        merges = run.merges ?? merges;
      }
      sameContacts = compare(snapshots.events!, snapshots.v1!, events, contacts);
    }
    const apiEvents = events / (best.events.ms / 1000);
    const v1 = events / (best.v1.ms / 1000);
    return {
      events, contacts, apiEvents, v1, ratio: v1 / apiEvents, cpuRatio: best.events.cpuMs / best.v1.cpuMs, largestBatchBytes, sameContacts,
      ...(merges && { merges }),
    };
  } finally {
    tmp.remove();
  }
}

/**
 * One door on a fresh server and database `file`: `events` of the workload sent through it, timed;
 * what the database then holds; and, through /v1 with `visitors`, the merge figure after that.
 */
export async function runDoor(file: string, door: Door, events: number, visitors = 0): Promise<{
  ms: number; cpuMs: number; largestBatchBytes: number; snapshot: Snapshot; merges?: SegmentResult['merges'];
}> {
  const contacts = Math.max(1, Math.floor(events / 5));
  const { server, api } = await startIntakeServer(file);
  try {
    const { secret } = (await api('keys', { name: 'Bench source', scope: 'ingest' })) as { secret: string };
    const args = [server.url, secret, 'batch', String(events), String(contacts)];
    const run = await measure(() => runClient(door === 'events' ? INTAKE_CLIENT : SEGMENT_CLIENT, args));
    if (door === 'events' && run.value.accepted !== events) throw new Error(`segment bench: /api/events accepted ${run.value.accepted} of ${events} events`);
    // Read while the server is up and idle (another connection: WAL lets it).
    const snap = snapshot(file);
    let merges: SegmentResult['merges'];
    if (door === 'v1' && visitors > 0) {
      const m = await runClient(SEGMENT_CLIENT, [server.url, secret, 'merge', String(visitors), String(MERGE_BATCH)]);
      checkMerges(file, visitors, contacts);
      const perSecond = visitors / (m.mergeMs / 1000);
      const plainIdentifies = visitors / (m.plainMs / 1000);
      merges = { visitors, anonymousPages: m.pages / (m.pagesMs / 1000), perSecond, plainIdentifies, ratio: perSecond / plainIdentifies };
    }
    // The clock: the client's own, from its first request to its last answer (not its start-up).
    return { ms: run.value.ms, cpuMs: run.cpuMs, largestBatchBytes: run.value.largestBatchBytes ?? 0, snapshot: snap, ...(merges && { merges }) };
  } finally {
    await server.stop();
  }
}

/** The CPU milliseconds this process (where the server runs; the client is another process) spends while `fn` runs. */
async function measure<T>(fn: () => Promise<T>): Promise<{ cpuMs: number; value: T }> {
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, value };
}

/** What a database holds, person by person (keyed by email), and in total. */
export interface Snapshot {
  /** Email → the contact's columns (but its id, external and anonymous ids) and tags. */
  readonly contacts: Map<string, Record<string, unknown>>;
  /** Events by type, places on maps by element and due time, as JSON. */
  readonly totals: string;
}

/** Columns that differ by door on purpose: ids (a contact's own, and the user id only /v1 has). */
const IDENTITY_COLUMNS = new Set(['id', 'f_external_id', 'f_anonymous_id']);

function snapshot(file: string): Snapshot {
  const db = new Database(file, { readonly: true });
  try {
    const tags = new Map<string, string[]>();
    for (const r of db.prepare('select contact_id, tag from contact_tags order by contact_id, tag').all() as { contact_id: string; tag: string }[]) {
      tags.set(r.contact_id, [...(tags.get(r.contact_id) ?? []), r.tag]);
    }
    const contacts = new Map<string, Record<string, unknown>>();
    for (const row of db.prepare('select * from contacts').all() as Record<string, unknown>[]) {
      const kept = Object.fromEntries(Object.entries(row).filter(([k]) => !IDENTITY_COLUMNS.has(k)));
      contacts.set(String(row.email_norm), { ...kept, tags: JSON.stringify(tags.get(String(row.id)) ?? []) });
    }
    const totals = JSON.stringify({
      events: db.prepare('select type, count(*) n from events group by type order by type').all(),
      positions: db.prepare('select map_id, element_id, due_at, count(*) n from positions group by map_id, element_id, due_at order by 1, 2, 3').all(),
    });
    return { contacts, totals };
  } finally {
    db.close();
  }
}

/** Throws, saying what differs, unless both doors left the same people with the same scores; answers how many were compared. */
function compare(events: Snapshot, v1: Snapshot, total: number, contacts: number): number {
  const problems: string[] = [];
  if (events.contacts.size !== contacts) problems.push(`/api/events left ${events.contacts.size} contacts, not ${contacts}`);
  if (v1.contacts.size !== events.contacts.size) problems.push(`/v1/batch left ${v1.contacts.size} contacts, /api/events ${events.contacts.size}`);
  for (const [email, a] of events.contacts) {
    const b = v1.contacts.get(email);
    const differ = b ? Object.keys(a).filter((k) => a[k] !== b[k]) : [];
    if (!b) problems.push(`${email}: no such contact after /v1/batch`);
    else if (differ.length) problems.push(`${email}: ${differ.map((k) => `${k} ${String(a[k])} by /api/events, ${String(b[k])} by /v1/batch`).join('; ')}`);
    if (problems.length > 3) break;
  }
  if (events.totals !== v1.totals) problems.push(`events and places on maps: /api/events ${events.totals.slice(0, 300)}…, /v1/batch ${v1.totals.slice(0, 300)}…`);
  const stored = (JSON.parse(events.totals) as { events: { n: number }[] }).events.reduce((a, r) => a + r.n, 0);
  if (stored !== total) problems.push(`${stored} events stored, ${total} sent`);
  if (problems.length) throw new Error(`segment bench: the two doors did not end the same:\n${problems.slice(0, 5).join('\n')}`);
  return events.contacts.size;
}

/** The event ids of visitor k's two anonymous page views. */
const anonymousPageIds = (k: number): string[] => anonymousPages(1, k).map((c) => c.messageId);

/** Throws unless every visitor was merged into their person (their page views moved to them) and the plain identifies merged nothing. */
function checkMerges(file: string, visitors: number, contacts: number): void {
  const db = new Database(file, { readonly: true });
  const problems: string[] = [];
  try {
    const count = (db.prepare('select count(*) n from contacts').get() as { n: number }).n;
    if (count !== contacts) problems.push(`${count} contacts after the merges, ${contacts} before (every anonymous visitor should have been merged away)`);
    const byAnonymousId = db.prepare('select c.email_norm email from anonymous_ids a join contacts c on c.id = a.contact_id where a.anonymous_id = ?');
    const byEvent = db.prepare('select c.email_norm email from events e join contacts c on c.id = e.contact_id where e.id = ?');
    const owner = (q: Database.Statement, key: string) => (q.get(key) as { email: string } | undefined)?.email ?? 'no contact';
    for (let k = 0; k < 2 * visitors && problems.length < 5; k++) {
      const email = `u${k}@bench.test`;
      const anonymousId = k < visitors ? `anon-${k}` : `anon-new-${k - visitors}`;
      if (owner(byAnonymousId, anonymousId) !== email) problems.push(`${anonymousId} names ${owner(byAnonymousId, anonymousId)}, not ${email}`);
      for (const id of k < visitors ? anonymousPageIds(k) : []) {
        if (owner(byEvent, id) !== email) problems.push(`the anonymous page view ${id} is ${owner(byEvent, id)}'s, not ${email}'s`);
      }
    }
  } finally {
    db.close();
  }
  if (problems.length) throw new Error(`segment bench: the merges did not do what they should:\n${problems.join('\n')}`);
}
