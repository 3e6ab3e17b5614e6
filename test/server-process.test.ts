import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'e2e-token';
const DAY = 86_400_000;

interface Server {
  readonly proc: ChildProcess;
  readonly base: string;
  readonly output: () => string;
}
const running: Server[] = [];
afterEach(() => {
  for (const s of running.splice(0)) s.proc.kill('SIGKILL');
});

/** Starts `scoremap serve` as a real process on a free port; resolves once it prints its URL. */
async function start(db: string, now: string, env: Record<string, string> = { SCOREMAP_TOKEN: TOKEN }): Promise<Server> {
  const proc = spawn(process.execPath, ['bin/scoremap.js', 'serve', '--port', '0', '--db', db, '--clock', 'manual', '--now', now], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const base = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 20_000);
    proc.stdout!.on('data', () => {
      const m = /running: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m && /\n {2}clock /.test(out)) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    proc.once('exit', (code) => fail(new Error(`server exited with ${code}:\n${out}`)));
  });
  const s = { proc, base, output: () => out };
  running.push(s);
  return s;
}

/** Stops a server with SIGTERM and answers its exit code. */
function stop(s: Server): Promise<number | null> {
  return new Promise((ok) => {
    s.proc.once('exit', (code) => ok(code));
    s.proc.kill('SIGTERM');
  });
}

async function api(s: Server, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') {
  const r = await fetch(`${s.base}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

describe('the server as a process', () => {
  it('imports the custom-lead-score template, takes events over HTTP, skips 31 days, and keeps running waits after a restart', async () => {
    const dir = mkdtempSync(`${tmpdir()}/scoremap-e2e-`);
    const db = `${dir}/scoremap.db`;
    let s = await start(db, '2026-01-01T00:00:00Z');
    expect(s.output()).toMatch(/token +from SCOREMAP_TOKEN/);
    expect((await fetch(`${s.base}/api/health`)).status).toBe(401);

    const imported = await api(s, '/templates/custom-lead-score/import', {});
    expect(imported.status).toBe(201);
    const mapId = imported.body.map.id;
    expect((await api(s, `/maps/${mapId}/publish`, {})).status).toBe(200);

    const clicks = [0, 1, 2].map((i) => ({ id: `click-${i}`, contact: { email: 'ann@example.com' }, type: 'email_link_clicked', at: `2026-01-01T10:0${i}:00Z` }));
    await api(s, '/clock/advance', { to: '2026-01-01T10:05:00Z' });
    expect((await api(s, '/events', clicks)).body).toEqual({ accepted: 3, duplicates: 0, created: 1 });
    expect((await api(s, '/events', clicks)).body).toEqual({ accepted: 0, duplicates: 3, created: 0 });
    const list = await api(s, `/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'ann@example.com' }))}`);
    const ann = list.body.contacts[0].id;
    const score = async (srv: Server) => (await api(srv, `/contacts/${ann}`)).body.fields.custom_lead_score;
    const clickPoints = await score(s);
    expect(clickPoints).toBeGreaterThan(0);

    // Day 1, 10:05: one decay of 2 points. Day 30 (30 quiet days after the last click): reset to 0.
    await api(s, '/clock/advance', { to: '2026-01-02T10:05:00Z' });
    expect(await score(s)).toBe(clickPoints - 2);
    await api(s, '/clock/advance', { ms: 30 * DAY });
    expect(await score(s)).toBe(0);
    const history = (await api(s, `/contacts/${ann}/history?field=custom_lead_score&limit=100`)).body;
    const entries = history.history;
    expect(entries[0]).toMatchObject({ to: 0 });
    expect(entries.some((h: { cause: { element?: string } }) => h.cause.element !== undefined)).toBe(true);

    // Restart on the same database: the waits are rows, so the map keeps running.
    expect(await stop(s)).toBe(0);
    expect(statSync(`${dir}/token`, { throwIfNoEntry: false })).toBeUndefined(); // the env token: no file
    s = await start(db, '2026-02-02T00:00:00Z');
    await api(s, '/clock/advance', { to: '2026-02-02T00:00:01Z' });
    await api(s, '/events', { id: 'click-late', contact: { id: ann }, type: 'email_link_clicked' });
    const afterClick = await score(s);
    expect(afterClick).toBe(clickPoints / 3);
    await api(s, '/clock/advance', { to: '2026-02-03T00:00:02Z' });
    expect(await score(s)).toBe(Math.max(0, afterClick - 2));
    expect(await stop(s)).toBe(0);
  });

  it('makes a token on first start, keeps it owner-only, and reuses it', async () => {
    const dir = mkdtempSync(`${tmpdir()}/scoremap-e2e-`);
    const env = { SCOREMAP_TOKEN: '' };
    const first = await start(`${dir}/db.sqlite`, '2026-01-01T00:00:00Z', env);
    const token = /\?token=(\S+)/.exec(first.output())![1];
    expect(statSync(`${dir}/token`).mode & 0o777).toBe(0o600);
    expect((await fetch(`${first.base}/api/health`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await stop(first)).toBe(0);
    const second = await start(`${dir}/db.sqlite`, '2026-01-01T00:00:00Z', env);
    expect(second.output()).toContain(`?token=${token}`);
    expect(await stop(second)).toBe(0);
  });
});
