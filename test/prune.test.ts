import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../server/store/store.js';
import { cli } from './cli-run.js';
import { api, killAll, ok, ROOT, startServer, stop } from './server-process.js';

afterEach(killAll);

const DAY = 86_400_000;
const tempDir = () => mkdtempSync(`${tmpdir()}/scoremap-prune-`);

describe('scoremap prune: usage', () => {
  it('is listed in the help, and explains itself', async () => {
    expect((await cli(['--help'])).stdout).toMatch(/prune --older-than 365d +delete field history and stored events older than that/);
    const r = await cli(['prune', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: scoremap prune --older-than 365d \[--db \.\/data\/scoremap\.db\] \[--vacuum\] \[--dry-run\] \[--json\]/);
    expect(r.stdout).toMatch(/an id is remembered as long as its event is kept/);
  });

  it('refuses a missing, malformed or too short age, and arguments it does not take (exit 2)', async () => {
    const db = `${tempDir()}/db.sqlite`;
    writeFileSync(db, '');
    const missing = await cli(['prune', '--db', db]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/^Say what to delete: --older-than 365d/)]);
    const bad = await cli(['prune', '--older-than', 'a year', '--db', db]);
    expect([bad.code, bad.stderr]).toEqual([2, '--older-than takes an age like 365d, 36h or 52w (days, hours, weeks), not "a year"\n']);
    const short = await cli(['prune', '--older-than', '12h', '--db', db]);
    expect([short.code, short.stderr]).toEqual([2, expect.stringMatching(/too short: keep at least a day/)]);
    expect((await cli(['prune', 'everything', '--older-than', '365d', '--db', db])).code).toBe(2);
    expect((await cli(['prune', '--older-than', '365d', '--bogus', '--db', db])).code).toBe(2);
  });

  it('--dry-run says what it would delete and deletes nothing', async () => {
    const db = `${tempDir()}/db.sqlite`;
    const store = await Store.open(db);
    const old = Date.now() - 40 * DAY;
    await store.insertHistory([1, 2, 3].map((i) => ({ contactId: 'ann', at: old, field: 'score', from: i, to: i + 1, cause: { api: true } })));
    await store.insertEvents([{ id: 'e1', contactId: 'ann', type: 'email_opened', at: old, props: null, acceptedAt: old }]);
    await store.close();
    const r = await cli(['prune', '--older-than', '30d', '--db', db, '--dry-run']);
    expect(r).toEqual({ code: 0, stderr: '', stdout: expect.stringMatching(/^Would delete 3 history entries, 1 event and 0 webhook deliveries from before \S+Z \(older than 30 days\); nothing was deleted \(--dry-run\)\.\n$/) });
    const done = await cli(['prune', '--older-than', '30d', '--db', db]);
    expect(done.stdout).toMatch(/^Deleted 3 history entries, 1 event and 0 webhook deliveries from before/);
    expect((await cli(['prune', '--older-than', '30d', '--db', db])).stdout).toMatch(/^Deleted 0 history entries, 0 events and 0 webhook deliveries/);
  });

  it('refuses a database that is not there rather than making an empty one (exit 1)', async () => {
    const r = await cli(['prune', '--older-than', '365d', '--db', `${tempDir()}/none.sqlite`]);
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/^No database at .*none\.sqlite/)]);
  });
});

describe('scoremap prune next to a running server', () => {
  it('deletes old history and events while the server keeps answering, keeps recent rows and every score; resends of pruned events count again', { timeout: 120_000 }, async () => {
    const CONTACTS = 200;
    const db = `${tempDir()}/scoremap.db`;
    // Times are relative to the real clock, which prune measures ages by: the manual clock starts
    // 400 days ago, takes a year's old events, then moves to two days ago for recent ones.
    const realNow = Date.now();
    const s = await startServer(db, new Date(realNow - 400 * DAY).toISOString());
    const imported = await ok(s, '/templates/custom-lead-score/import', {});
    await ok(s, `/maps/${imported.map.id}/publish`, {});
    const ids = Array.from({ length: CONTACTS }, (_, i) => `c${i}`);
    await ok(s, '/contacts/import?wait=true', { contacts: ids.map((id) => ({ id })) });
    const types = ['email_link_clicked', 'form_submitted', 'email_opened'];
    const events = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, contact: { id: ids[i % CONTACTS] }, type: types[i % 3] }));
    await ok(s, '/events', events('old', 2_000));
    await ok(s, '/clock/advance', { to: new Date(realNow - 2 * DAY).toISOString() });
    await ok(s, '/events', events('new', 600));

    const scores = async () => (await ok(s, `/contacts?limit=500&fields=custom_lead_score,email`)).contacts.map((c: { id: string; fields: object }) => [c.id, c.fields]);
    const before = await scores();
    const sample = ids.filter((_, i) => i % 10 === 0);
    const history = async (id: string) => (await ok(s, `/contacts/${id}/history?limit=500`)).history as { id: number; at: string }[];
    const historyBefore = new Map(await Promise.all(sample.map(async (id) => [id, await history(id)] as const)));
    const peek = new Database(db, { readonly: true });
    const rows = () => (peek.prepare('select count(*) n from history').get() as { n: number }).n;
    const initialRows = rows();

    // prune as its own process, while this client keeps sending events and reading.
    const proc = spawn(process.execPath, ['bin/scoremap.js', 'prune', '--older-than', '365d', '--db', db, '--vacuum', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    let exited = false;
    const exit = new Promise<number | null>((done) => proc.once('exit', (code) => ((exited = true), done(code))));
    const statuses: number[] = [];
    let midway = 0;
    for (let i = 0; !exited; i++) {
      const answer = await api(s, '/events', { id: `during-${i}`, contact: { id: ids[i % CONTACTS] }, type: 'email_opened' });
      statuses.push(answer.status, (await api(s, '/health')).status);
      const n = rows();
      if (!exited && n < initialRows && n > 0) midway++;
    }
    peek.close();
    expect(await exit).toBe(0);
    expect(statuses.filter((st) => st !== 200), s.output()).toEqual([]);
    // Some of those requests were answered while the prune was part-way through (no timing: a count).
    expect(midway).toBeGreaterThan(0);

    const result = JSON.parse(out);
    const cutoff = Date.parse(result.before);
    expect(cutoff).toBeGreaterThanOrEqual(realNow - 365 * DAY);
    expect(result).toMatchObject({ dryRun: false, events: 2_000, vacuum: { mode: 'incremental' } });
    expect(result.history).toBeGreaterThan(2_000);
    expect(result.vacuum.bytesAfter).toBeLessThan(result.vacuum.bytesBefore);

    // Old history is gone, recent history kept entry for entry, and no score moved.
    for (const id of sample) {
      const after = await history(id);
      expect(after.filter((h) => Date.parse(h.at) < cutoff)).toEqual([]);
      const kept = historyBefore.get(id)!.filter((h) => Date.parse(h.at) >= cutoff);
      expect(kept.length).toBeGreaterThan(0);
      expect(after.filter((h) => h.id <= kept[0].id)).toEqual(kept);
    }
    expect(await scores()).toEqual(before);

    // The idempotency window is what is kept: a recent event is still a duplicate, a pruned one counts again.
    expect(await ok(s, '/events', events('new', 1))).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await ok(s, '/events', events('old', 1))).toMatchObject({ accepted: 1, duplicates: 0 });

    // A second prune next to the running server goes in small steps too.
    const again = await cli(['prune', '--older-than', '1d', '--db', db, '--vacuum']);
    expect(again.stderr).toBe('');
    expect(again.stdout).toMatch(/^Deleted [\d,]+ history entries, [\d,]+ events and [\d,]+ webhook deliveries from before .* \(older than 1 day\)\.\nVacuum \(incremental\): [\d.]+ MiB → [\d.]+ MiB\.\n$/);
    expect((await api(s, '/health')).status).toBe(200);
    expect(await stop(s)).toBe(0);
  });
});
