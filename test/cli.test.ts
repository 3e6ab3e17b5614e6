import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from './cli-run.js';
import { simulate } from '../server/simulate.js';


function tempFile(name: string, content: unknown): string {
  const file = `${mkdtempSync(`${tmpdir()}/scoremap-cli-`)}/${name}`;
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const validMap = {
  name: 'Clicks',
  fields: [{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number' }],
  elements: [
    { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, next: 'add' },
    { id: 'add', kind: 'update_field', field: 'custom_lead_score', value: '[Custom Lead Score] + 5', next: 'end' },
    { id: 'end', kind: 'end' },
  ],
};

describe('scoremap --help', () => {
  it('lists the commands', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/validate <map.json>/);
    expect(r.stdout).toMatch(/simulate <scenario.json>/);
  });

  it('each command explains itself', async () => {
    for (const command of ['validate', 'simulate', 'serve', 'worker', 'copy']) {
      const r = await cli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Usage: scoremap ${command}`));
    }
  });

  it('an unknown command or option is a usage error (exit 2)', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    const r = await cli(['validate', '--bogus', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bogus/);
  });
});

describe('scoremap validate', () => {
  it('a valid map exits 0', async () => {
    const r = await cli(['validate', tempFile('map.json', validMap)]);
    expect(r.stdout).toMatch(/valid/);
    expect(r.code).toBe(0);
  });

  it('a map with errors exits 1 and names the element and the problem', async () => {
    const broken = structuredClone(validMap);
    delete (broken.elements[1] as { next?: string }).next;
    const r = await cli(['validate', tempFile('map.json', broken)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error +Element 'add': 'What happens next\?' is empty/);
    expect(r.stdout).toMatch(/1 error/);
  });

  it('an instant loop is an error that names the cycle', async () => {
    const loop = structuredClone(validMap) as { elements: Record<string, unknown>[] };
    loop.elements[1].next = 'back';
    loop.elements[2] = { id: 'back', kind: 'goto', target: 'add' };
    const r = await cli(['validate', tempFile('map.json', loop), '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(false);
    expect(out.problems[0].cycle).toEqual(['add', 'back']);
  });

  it('a file that is not JSON, or not a map, exits 1 with a readable message', async () => {
    const notJson = await cli(['validate', tempFile('map.json', '{ nope')]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/is not valid JSON/);
    const notMap = await cli(['validate', tempFile('map.json', { name: 'x', elements: [{ id: 'a', kind: 'pause' }] })]);
    expect(notMap.code).toBe(1);
    expect(notMap.stdout).toMatch(/Element 'a'/);
  });

  it('a missing file exits 1', async () => {
    const r = await cli(['validate', '/nonexistent/map.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ENOENT|no such file/);
  });
});

describe('scoremap simulate', () => {
  const scenarioFile = fileURLToPath(new URL('./scenarios/cap-at-100.json', import.meta.url));

  it('--json prints exactly what simulate() answers (the API body)', async () => {
    const r = await cli(['simulate', scenarioFile, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(await simulate(JSON.parse(readFileSync(scenarioFile, 'utf8'))));
  });

  it('gives the history in time order across contacts, also where due waits ran as a cohort', async () => {
    // Cal's daily decay falls at 09:00, Bea's at 10:06: from the second day on both wake in one run.
    const scenario = {
      start: '2026-01-01T00:00:00Z', until: '2026-01-06T00:00:00Z',
      maps: [{ file: fileURLToPath(new URL('../maps/custom-lead-score.json', import.meta.url)) }],
      contacts: [{ id: 'bea' }, { id: 'cal' }],
      events: [
        { contact: { id: 'cal' }, type: 'email_link_clicked', at: '2026-01-01T09:00:00Z', props: { url: 'https://example.com/a' } },
        { contact: { id: 'bea' }, type: 'demo_requested', at: '2026-01-01T10:06:00Z' },
      ],
    };
    const r = await cli(['simulate', tempFile('interleaved.json', scenario), '--json']);
    expect(r.code).toBe(0);
    const history = (JSON.parse(r.stdout).history as { contact: string; at: string; field: string }[]).filter((h) => h.field === 'custom_lead_score');
    expect(history.filter((h) => h.contact === 'cal').length).toBeGreaterThan(3);
    expect(history.filter((h) => h.contact === 'bea').length).toBeGreaterThan(3);
    expect(history.map((h) => h.at)).toEqual(history.map((h) => h.at).sort());
  });

  it('prints a readable timeline, the final fields and the expectations', async () => {
    const r = await cli(['simulate', scenarioFile]);
    expect(r.stdout).toMatch(/Timeline/);
    expect(r.stdout).toMatch(/cat +custom_lead_score: 120 → 100 +\(map map-1 v1, element cap\)/);
    expect(r.stdout).toMatch(/Final fields\n {2}cat: .*custom_lead_score=94/);
    expect(r.stdout).toMatch(/4 passed, 0 failed/);
  });

  it('loads maps given as files next to the scenario', async () => {
    const map = tempFile('map.json', validMap);
    const scenario = tempFile('scenario.json', {
      start: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z',
      maps: [{ file: map }],
      contacts: [{ id: 'ann' }],
      events: [{ contact: { id: 'ann' }, type: 'email_link_clicked', at: '2026-01-01T01:00:00Z' }],
      expect: [{ contact: 'ann', at: '2026-01-01T02:00:00Z', field: 'custom_lead_score', equals: 5 }],
    });
    const r = await cli(['simulate', scenario, '--json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).expectations[0].pass).toBe(true);
  });

  it('an invalid scenario or an invalid map exits 1 with the reason', async () => {
    const bad = await cli(['simulate', tempFile('s.json', { start: 'yesterday', until: '2026-01-01T00:00:00Z' })]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/start/);
    const badMap = await cli(['simulate', tempFile('s.json', {
      start: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z',
      maps: [{ name: 'No trigger', elements: [{ id: 'e', kind: 'end' }] }],
    })]);
    expect(badMap.code).toBe(1);
    expect(badMap.stderr).toMatch(/Map 1/);
    expect(badMap.stderr).toMatch(/trigger/);
  });
});

describe('scoremap import / export', () => {
  it('imports a map file into the database as a draft or published, and exports it back', async () => {
    const db = `${mkdtempSync(`${tmpdir()}/scoremap-db-`)}/db.sqlite`;
    const file = tempFile('map.json', validMap);
    const imported = await cli(['import', file, '--db', db, '--json']);
    expect(imported.code).toBe(0);
    const { id, version } = JSON.parse(imported.stdout);
    expect(id).toMatch(/^clicks-[0-9a-f]{4}$/);
    expect(version).toBe(null);
    const exported = await cli(['export', id, '--db', db]);
    expect(JSON.parse(exported.stdout)).toEqual(validMap);

    const published = await cli(['import', file, '--db', db, '--publish']);
    expect(published.stdout).toMatch(/published as version 1/);
    const again = JSON.parse((await cli(['import', file, '--db', db, '--json'])).stdout);
    expect(again.id).not.toBe(id);
    await cli(['import', 'custom-lead-score', '--db', db]);

    // Each import and publish is in the audit log, made by the command line, as through the API.
    const audit = new Database(db, { readonly: true });
    const entries = audit.prepare('select action, actor_kind, actor_name, summary from audit_log order by id').all();
    audit.close();
    expect(entries.map((e: any) => e.action)).toEqual(['map.import', 'map.import', 'map.publish', 'map.import', 'map.create']);
    expect(entries.every((e: any) => e.actor_kind === 'system' && e.actor_name === 'the command line')).toBe(true);
    expect(entries.at(-1)).toMatchObject({ summary: expect.stringMatching(/from the template "custom-lead-score"/) });
  });

  it('refuses a map with errors when publishing, and an unknown map on export', async () => {
    const db = `${mkdtempSync(`${tmpdir()}/scoremap-db-`)}/db.sqlite`;
    const broken = structuredClone(validMap) as { elements: Record<string, unknown>[] };
    delete broken.elements[1].next;
    const r = await cli(['import', tempFile('map.json', broken), '--db', db, '--publish']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/problem/);
    expect((await cli(['export', 'nope', '--db', db])).code).toBe(1);
  });
});

describe('scoremap serve and worker: the database', () => {
  it('a PostgreSQL server that does not answer stops the start with the reason, in one line (exit 1), password hidden', async () => {
    for (const command of ['serve', 'worker']) {
      const r = await cli([command, ...(command === 'serve' ? ['--port', '0'] : []), '--db', 'postgres://ann:s3cret@127.0.0.1:1/scoremap']);
      expect(r.code, command).toBe(1);
      expect(r.stderr).toMatch(/^Scoremap cannot start on postgres:\/\/ann:\*\*\*@127\.0\.0\.1:1\/scoremap: Cannot open the PostgreSQL database .*ECONNREFUSED/);
      expect(r.stderr).not.toMatch(/s3cret/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a URL that is not one, or names no database, is said plainly (exit 1)', async () => {
    const r = await cli(['serve', '--port', '0', '--db', 'postgres://127.0.0.1:5432']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/names no database: add it after the host/);
    const bad = await cli(['worker', '--db', 'postgres://ann@[::1/x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/is not a database URL: write it as postgres:\/\/user:password@host:5432\/database/);
  });

  it('a worker needs PostgreSQL, and --durable and --lease go with one database each (exit 2)', async () => {
    const worker = await cli(['worker', '--db', './data/x.db']);
    expect(worker.code).toBe(2);
    expect(worker.stderr).toMatch(/scoremap worker shares a PostgreSQL database/);
    expect((await cli(['serve', '--db', 'postgres://h/db', '--durable'])).stderr).toMatch(/--durable is for SQLite/);
    expect((await cli(['serve', '--db', './data/x.db', '--lease', '5'])).stderr).toMatch(/--lease is for PostgreSQL/);
    expect((await cli(['worker', '--db', 'postgres://h/db', '--lease', '0'])).stderr).toMatch(/--lease is a number of seconds/);
  });
});
