import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import { setup, T0 } from '../routes/testing.js';
import { Runtime } from '../runtime/runtime.js';
import { saveModel } from '../runtime/scoring.js';
import { migrate } from '../store/migrations.js';
import { openPostgres } from '../store/postgres.js';
import { openSqlite } from '../store/sqlite.js';
import { Store } from '../store/store.js';
import { migrateBefore, onPostgres, testDatabase } from '../store/testing.js';
import { getModelVersion, listModelVersions } from './versions.js';

const BASE = '/api/scoring-models';
const HOUR = 3_600_000;
const model = (over: Record<string, unknown> = {}) => ({
  id: 'lead', name: 'Lead score', field: 'score',
  rules: [{ id: 'click', label: 'Clicked a link', when: { event: 'email_link_clicked' }, points: 5 }],
  brackets: [{ name: 'High', min: 70 }, { name: 'Low', min: 0 }],
  ...over,
});
const TWO_RULES = [
  { id: 'click', label: 'Clicked a link', when: { event: 'email_link_clicked' }, points: 5 },
  { id: 'visit', label: 'Visited pricing', when: { event: 'page_visited' }, points: 8 },
];

type Bench = Awaited<ReturnType<typeof setup>>;
const versions = async (b: Bench, id = 'lead') => {
  const r = await b.send('GET', `${BASE}/${id}/versions`);
  expect(r.status).toBe(200);
  return r.body.versions as { version: number; savedAt: string; author: string | null; current: boolean }[];
};

/** A model created (version 1), then saved with a second rule an hour later (version 2). */
async function twoVersions() {
  const b = await setup();
  const created = await b.send('POST', BASE, model());
  expect(created.status).toBe(201);
  b.clock.set(b.clock.now() + HOUR);
  const saved = await b.send('PUT', `${BASE}/lead`, model({ name: 'Lead score v2', rules: TWO_RULES }));
  expect(saved.status).toBe(200);
  return { b, v1: created.body, v2: saved.body };
}

describe('scoring model versions', () => {
  it('keeps a version for each save that changes the model, with when and by whom, newest last', async () => {
    const { b } = await twoVersions();
    expect(await versions(b)).toEqual([
      { version: 1, savedAt: new Date(T0).toISOString(), author: 'the start-up token', current: false },
      { version: 2, savedAt: new Date(T0 + HOUR).toISOString(), author: 'the start-up token', current: true },
    ]);
  });

  it('makes no new version when the model is saved unchanged, its keys in another order included', async () => {
    const { b, v2 } = await twoVersions();
    b.clock.set(b.clock.now() + HOUR);
    expect((await b.send('PUT', `${BASE}/lead`, model({ name: 'Lead score v2', rules: TWO_RULES }))).status).toBe(200);
    const reordered = Object.fromEntries(Object.entries(v2).reverse());
    expect((await b.send('PUT', `${BASE}/lead`, reordered)).status).toBe(200);
    expect((await versions(b)).map((v) => [v.version, v.savedAt])).toEqual([[1, new Date(T0).toISOString()], [2, new Date(T0 + HOUR).toISOString()]]);
  });

  it('makes no version when a save is refused', async () => {
    const { b } = await twoVersions();
    const refused = await b.send('PUT', `${BASE}/lead`, model({ field: 'no_such_field' }));
    expect(refused.status).toBe(422);
    expect((await versions(b)).length).toBe(2);
  });

  it('reads one version with its document as it was saved', async () => {
    const { b, v1, v2 } = await twoVersions();
    const first = await b.send('GET', `${BASE}/lead/versions/1`);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ version: 1, savedAt: new Date(T0).toISOString(), author: 'the start-up token', current: false, doc: v1 });
    expect((await b.send('GET', `${BASE}/lead/versions/2`)).body).toMatchObject({ version: 2, current: true, doc: v2 });
  });

  it('restores a version: the model becomes that document again and the restore is a new version', async () => {
    const { b, v1 } = await twoVersions();
    b.clock.set(b.clock.now() + HOUR);
    const restored = await b.send('POST', `${BASE}/lead/versions/1/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toEqual(v1);
    expect((await b.send('GET', `${BASE}/lead`)).body).toEqual(v1);
    // The running world scores with the restored rules: one rule again.
    expect(b.rt.world.models?.find((m) => m.model.id === 'lead')?.model.rules.map((r) => r.id)).toEqual(['click']);
    expect(await versions(b)).toEqual([
      { version: 1, savedAt: new Date(T0).toISOString(), author: 'the start-up token', current: false },
      { version: 2, savedAt: new Date(T0 + HOUR).toISOString(), author: 'the start-up token', current: false },
      { version: 3, savedAt: new Date(T0 + 2 * HOUR).toISOString(), author: 'the start-up token', current: true },
    ]);
    expect((await b.send('GET', `${BASE}/lead/versions/3`)).body.doc).toEqual(v1);
    // Restoring the version the model is now changes nothing and adds nothing.
    expect((await b.send('POST', `${BASE}/lead/versions/3/restore`)).status).toBe(200);
    expect((await versions(b)).length).toBe(3);
  });

  it('answers 404 for a model or a version that does not exist, and 400 for a version that is not a number, changing nothing', async () => {
    const { b, v2 } = await twoVersions();
    for (const [method, path] of [['GET', '/nope/versions'], ['GET', '/nope/versions/1'], ['POST', '/nope/versions/1/restore']]) {
      const r = await b.send(method, `${BASE}${path}`);
      expect(r.status, path).toBe(404);
      expect(r.body.error.message).toBe('No scoring model with id "nope"');
    }
    for (const version of ['3', '99', '99999999999']) {
      for (const [method, path] of [['GET', `/lead/versions/${version}`], ['POST', `/lead/versions/${version}/restore`]]) {
        const r = await b.send(method, `${BASE}${path}`);
        expect(r.status, path).toBe(404);
        expect(r.body.error.message).toBe(`Scoring model "lead" has no version ${version}`);
      }
    }
    for (const version of ['abc', '0', '-1', '1.5']) {
      for (const [method, path] of [['GET', `/lead/versions/${version}`], ['POST', `/lead/versions/${version}/restore`]]) {
        const r = await b.send(method, `${BASE}${path}`);
        expect(r.status, path).toBe(400);
        expect(r.body.error.message).toBe(`"${version}" is not a version number: versions are numbered 1, 2, 3, …`);
      }
    }
    expect((await versions(b)).length).toBe(2);
    expect((await b.send('GET', `${BASE}/lead`)).body).toEqual(v2);
  });

  it('refuses with 422 a version that no longer fits, and leaves the model as it is', async () => {
    const { b, v2 } = await twoVersions();
    // A document kept by an older server that today's rules refuse.
    await b.store.db.insertInto('scoring_model_versions')
      .values({ model_id: 'lead', version: 3, doc_json: JSON.stringify({ ...v2, field: 'shoe_size' }), saved_at: T0, author: null }).execute();
    const r = await b.send('POST', `${BASE}/lead/versions/3/restore`);
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/^Version 3 cannot be restored: .*shoe_size/);
    expect(r.body.error.details.problems.length).toBeGreaterThan(0);
    expect((await b.send('GET', `${BASE}/lead`)).body).toEqual(v2);
    expect((await versions(b)).length).toBe(3);
  });

  it('forgets the versions of a deleted model: a new model with its id starts again at version 1', async () => {
    const { b } = await twoVersions();
    expect((await b.send('DELETE', `${BASE}/lead`)).status).toBe(204);
    expect(await listModelVersions(b.store.db, 'lead')).toEqual([]);
    expect((await b.send('GET', `${BASE}/lead/versions`)).status).toBe(404);
    expect((await b.send('POST', BASE, model({ name: 'Again' }))).status).toBe(201);
    expect((await versions(b)).map((v) => v.version)).toEqual([1]);
    expect((await b.send('GET', `${BASE}/lead/versions/1`)).body.doc.name).toBe('Again');
  });

  it('keeps each model\'s versions apart', async () => {
    const { b } = await twoVersions();
    expect((await b.send('POST', BASE, model({ id: 'other', name: 'Other', field: 'other_score', fields: [{ key: 'other_score', label: 'Other score', type: 'number' }] }))).status).toBe(201);
    expect((await versions(b, 'other')).map((v) => [v.version, v.current])).toEqual([[1, true]]);
    expect((await versions(b)).length).toBe(2);
  });
});

describe('migration 0010_model_versions', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('gives every model already stored version 1: its document as it is, saved when it was last saved', async () => {
    dir = mkdtempSync(join(tmpdir(), 'scoremap-versions-'));
    const location = testDatabase(join(dir, 'old.db'));
    const old = onPostgres ? await openPostgres(location) : openSqlite(location).db;
    await migrateBefore(old, '0010_model_versions');
    const doc = { ...model({ id: 'old', name: 'Old model' }), min: 0, max: 100 };
    await old.insertInto('scoring_models').values({ id: 'old', seq: 1, doc_json: JSON.stringify(doc), next_decay_at: null, created_at: T0, updated_at: T0 + HOUR }).execute();
    await migrate(old);
    await old.destroy();

    const store = await Store.open(location);
    try {
      expect(await listModelVersions(store.db, 'old')).toEqual([{ version: 1, savedAt: T0 + HOUR, author: null }]);
      expect((await getModelVersion(store.db, 'old', 1))?.doc).toEqual(doc);
      // The next save that changes it is version 2.
      const rt = await Runtime.create({ store, clock: new ManualClock(T0 + 2 * HOUR), ids: () => 'x' });
      await saveModel(rt, { ...doc, name: 'Old model, renamed' }, { id: 'old' });
      expect((await listModelVersions(store.db, 'old')).map((v) => [v.version, v.savedAt])).toEqual([[1, T0 + HOUR], [2, T0 + 2 * HOUR]]);
    } finally {
      await store.close();
    }
  });
});
