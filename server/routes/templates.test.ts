import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { handMap, scoreMap, setup } from './testing.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A templates folder with two maps and the files that are not templates. */
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scoremap-templates-'));
  dirs.push(dir);
  const write = (name: string, content: unknown) => writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  write('custom-lead-score.json', scoreMap());
  write('hand-picked.json', handMap());
  write('map.schema.json', { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' });
  write('recommended-scoring.json', { id: 'recommended', name: 'Recommended', field: 'score', rules: [] });
  write('broken.json', '{ "name": ');
  write('Not_A_Name.json', handMap());
  write('notes.txt', 'not json');
  return dir;
}

describe('GET /api/templates', () => {
  it('lists the map files of the folder, read at each request', async () => {
    const dir = folder();
    const { send } = await setup({ templatesDir: dir });
    const r = await send('GET', '/api/templates');
    expect(r.status).toBe(200);
    expect(r.body.templates).toEqual([
      {
        name: 'custom-lead-score', title: 'Custom Lead Score', description: 'Adds points for clicks and takes 2 points a day.', elements: 5,
        fields: [{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number' }],
      },
      { name: 'hand-picked', title: 'Hand picked', description: '', elements: 3, fields: [] },
    ]);
    writeFileSync(join(dir, 'score-cap.json'), JSON.stringify({ ...handMap(), name: 'Score cap' }));
    expect((await send('GET', '/api/templates')).body.templates.map((t: { name: string }) => t.name)).toEqual(['custom-lead-score', 'hand-picked', 'score-cap']);
  });

  it('answers an empty list when there is no folder', async () => {
    const { send } = await setup({ templatesDir: join(tmpdir(), 'scoremap-no-such-folder') });
    expect((await send('GET', '/api/templates')).body).toEqual({ templates: [] });
  });
});

describe('POST /api/templates/:name/import', () => {
  it('creates a draft from a template, with its fields', async () => {
    const { send, rt } = await setup({ templatesDir: folder() });
    const r = await send('POST', '/api/templates/custom-lead-score/import');
    expect(r.status).toBe(201);
    expect(r.body.map).toMatchObject({ name: 'Custom Lead Score', status: 'draft', rev: 1, doc: scoreMap() });
    expect(r.body.map.id).toMatch(/^custom-lead-score-[0-9a-f]{4}$/);
    expect(r.body.problems).toEqual([]);
    expect(rt.world.fields.get('custom_lead_score')).toBeDefined();
    expect((await send('GET', `/api/maps/${r.body.map.id}`)).status).toBe(200);
    const named = await send('POST', '/api/templates/hand-picked/import?id=mine');
    expect(named.body.map.id).toBe('mine');
    expect((await send('POST', '/api/templates/hand-picked/import?id=mine')).status).toBe(409);
    expect((await send('POST', '/api/templates/hand-picked/import?id=not%20an%20id')).status).toBe(400);
  });

  it('answers 404 for names that are not templates and 400 for names that are not names', async () => {
    const { send, call } = await setup({ templatesDir: folder() });
    for (const name of ['nope', 'recommended-scoring', 'broken', 'notes']) {
      const r = await send('POST', `/api/templates/${name}/import`);
      expect(r.status, name).toBe(404);
      expect(r.body.error.message).toBe(`No template named "${name}": GET /api/templates lists them`);
    }
    for (const name of ['Not_A_Name', 'map.schema', '..%2F..%2Fetc%2Fpasswd', '..%5Cetc', 'a%00b']) {
      const r = await send('POST', `/api/templates/${name}/import`);
      expect(r.status, name).toBe(400);
      // A NUL is refused for every path before any route sees it.
      expect(r.body.error.message).toMatch(name.includes('%00') ? /The path is not valid: it holds the NUL character/ : /is not a template name/);
    }
    // Dot segments are resolved in the URL, before any route: they never reach the handler as a name.
    expect((await call('/api/templates/%2E%2E/import', { method: 'POST' })).status).toBe(404);
  });

  it('ignores a body: garbage is not an error', async () => {
    const { call } = await setup({ templatesDir: folder() });
    const r = await call('/api/templates/hand-picked/import', { method: 'POST', body: 'null', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(201);
  });
});
