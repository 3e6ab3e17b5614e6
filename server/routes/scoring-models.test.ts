import { describe, expect, it } from 'vitest';
import { createContacts } from '../runtime/contacts.js';
import { GARBAGE, setup } from './testing.js';

type Bench = Awaited<ReturnType<typeof setup>>;

const BASE = '/api/scoring-models';
const CEO = { id: 'ceo', label: 'CEO', when: { if: { field: 'job_title', op: 'contains', value: 'ceo' } }, points: 10 };
const model = (over: Record<string, unknown> = {}) => ({
  id: 'lead', name: 'Lead score', field: 'score', degradation: { percentPerDay: 3 },
  rules: [{ id: 'click', label: 'Clicked a link', when: { event: 'email_link_clicked' }, points: 5 }],
  brackets: [{ name: 'High', min: 70 }, { name: 'Medium', min: 40 }, { name: 'Low', min: 0 }],
  ...over,
});

async function contact(b: Bench, id: string, fields: Record<string, unknown>) {
  const r = await b.send('POST', '/api/contacts', { id, fields });
  expect(r.status).toBe(201);
}

/** Polls a rescore until it is no longer running. */
async function finished(b: Bench, modelId: string, jobId: string) {
  for (let i = 0; i < 500; i++) {
    const r = await b.send('GET', `${BASE}/${modelId}/rescore/${jobId}`);
    expect(r.status).toBe(200);
    if (r.body.job.status !== 'running') return r.body.job;
    await new Promise((done) => setTimeout(done, 5));
  }
  throw new Error('the rescore did not finish');
}

describe('scoring models CRUD', () => {
  it('creates, lists, reads, replaces, exports, deletes and imports a model', async () => {
    const b = await setup();
    const created = await b.send('POST', BASE, model());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'lead', min: 0, max: 100, field: 'score' });

    const list = await b.send('GET', BASE);
    expect(list.body.models).toEqual([{
      id: 'lead', name: 'Lead score', field: 'score', min: 0, max: 100, degradation: { percentPerDay: 3 }, ruleCount: 1, shadow: false,
      brackets: model().brackets, nextDecayAt: '2026-01-02T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    }]);
    expect((await b.send('GET', `${BASE}/lead`)).body).toEqual(created.body);

    const put = await b.send('PUT', `${BASE}/lead`, { ...model({ name: 'Lead score v2', degradation: undefined }), id: undefined });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: 'lead', name: 'Lead score v2' });
    expect(put.body.degradation).toBeUndefined();
    expect((await b.send('GET', BASE)).body.models[0]).toMatchObject({ name: 'Lead score v2', degradation: null, nextDecayAt: null });
    expect((await b.send('PUT', `${BASE}/lead`, model({ name: 'Same id' }))).status).toBe(200);
    const renamed = await b.send('PUT', `${BASE}/lead`, model({ id: 'other' }));
    expect(renamed.status).toBe(400);
    expect(renamed.body.error.message).toMatch(/keeps its id/);

    const file = await b.call(`${BASE}/lead/export`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="lead.json"');
    const text = await file.text();
    expect(JSON.parse(text)).toMatchObject({ id: 'lead', name: 'Same id' });

    expect((await b.send('DELETE', `${BASE}/lead`)).status).toBe(204);
    expect((await b.send('GET', `${BASE}/lead`)).status).toBe(404);
    expect((await b.send('GET', BASE)).body.models).toEqual([]);

    const imported = await b.call(`${BASE}/import`, { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
    expect(imported.status).toBe(201);
    expect(await imported.json()).toEqual(JSON.parse(text));
    const again = await b.send('POST', `${BASE}/import`, JSON.parse(text));
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already exists/);
    expect((await b.send('POST', BASE, model())).status).toBe(409);
  });

  it('creates the score field a model declares, and refuses an invalid model with 422 and its problems', async () => {
    const b = await setup();
    const cases: [Record<string, unknown>, RegExp][] = [
      [model({ field: 'nope' }), /not a field/],
      [model({ field: 'job_title' }), /needs a number field/],
      [model({ rules: [{ ...CEO, when: { if: { field: 'shoe_size', op: 'gt', value: 3 } } }] }), /shoe_size/i],
      [model({ rules: [{ ...CEO, when: { if: { field: 'job_title', op: 'sideways', value: 3 } } }] }), /rules/],
      [model({ min: 10, max: 5 }), /"min" must be below "max"/],
      [{}, /id|name/],
      [{ name: null }, /./],
    ];
    for (const [doc, message] of cases) {
      const r = await b.send('POST', BASE, doc);
      expect(r.status, JSON.stringify(doc).slice(0, 80)).toBe(422);
      expect(r.body.error.details.problems.length).toBeGreaterThan(0);
      expect(r.body.error.details.problems.map((p: { message: string }) => p.message).join('\n')).toMatch(message);
    }
    const own = await b.send('POST', BASE, model({ id: 'eng', field: 'engagement', fields: [{ key: 'engagement', label: 'Engagement', type: 'number', decimals: 3 }] }));
    expect(own.status).toBe(201);
    expect((await b.send('GET', '/api/fields')).body.fields.map((f: { key: string }) => f.key)).toContain('engagement');
  });

  it('refuses declared fields that cannot be created (a taken label, a key declared twice) with 422, creating nothing', async () => {
    const b = await setup({ logError: (e) => expect.fail(`logged: ${String(e)}`) });
    const before = (await b.send('GET', '/api/fields')).body.fields.length;
    const cases: [unknown[], RegExp][] = [
      [[{ key: 'points', label: 'SCORE', type: 'number' }], /The label "SCORE" is already used by the field "score"; give "points" another label/],
      [[{ key: 'points', label: 'Points', type: 'number' }, { key: 'points', label: 'Points', type: 'number' }], /Field "points" is declared twice in this model/],
      [[{ key: 'a_date', label: 'Same', type: 'date' }, { key: 'b_date', label: 'same ', type: 'date' }], /The label "same" is already used by the field "a_date"/],
    ];
    for (const [fields, message] of cases) {
      const r = await b.send('POST', BASE, model({ fields }));
      expect(r.status, JSON.stringify(fields)).toBe(422);
      expect(r.body.error.message).toMatch(message);
      expect(r.body.error.details.problems[0]).toMatchObject({ path: expect.stringMatching(/^fields\.\d$/) });
    }
    expect((await b.send('GET', '/api/fields')).body.fields.length).toBe(before);
    expect((await b.send('POST', BASE, model())).status).toBe(201);
    // The model has brackets: it keeps them in a field of its own, made with it.
    const made = (await b.send('GET', '/api/fields')).body.fields;
    expect(made.map((f: { key: string }) => f.key)).toContain('score_bracket');
    const replaced = await b.send('PUT', `${BASE}/lead`, model({ fields: [{ key: 'points', label: 'Email', type: 'number' }] }));
    expect(replaced.status).toBe(422);
    expect((await b.send('GET', '/api/fields')).body.fields.length).toBe(made.length);
  });

  it('refuses garbage bodies with a 4xx in words, never a 500; null, arrays, text and deep nesting with 400', async () => {
    const b = await setup();
    await b.send('POST', BASE, model());
    for (const [method, path] of [['POST', BASE], ['POST', `${BASE}/import`], ['PUT', `${BASE}/lead`]]) {
      for (const body of GARBAGE) {
        const r = await b.call(path, { method, body, headers: { 'content-type': 'application/json' } });
        expect(r.status, `${method} ${path} ${body.slice(0, 40)}`).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect((await r.json()).error.message).toEqual(expect.any(String));
      }
      const deep = JSON.stringify(model({ rules: [{ ...CEO, when: { if: JSON.parse(`${'{"not":'.repeat(200)}{"field":"job_title","op":"is_empty"}${'}'.repeat(200)}`) } }] }));
      for (const body of ['null', '[]', '[1,2]', '"text"', '42', `${'{"a":'.repeat(500)}1${'}'.repeat(500)}`, deep]) {
        const r = await b.call(path, { method, body, headers: { 'content-type': 'application/json' } });
        expect(r.status, `${method} ${path} ${body.slice(0, 40)}`).toBe(400);
      }
      expect((await b.call(path, { method, body: '{"id":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
      expect((await b.call(path, { method, body: 'id=x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    }
    expect((await b.send('GET', `${BASE}/lead`)).body.name).toBe('Lead score');
  });

  it('needs the token', async () => {
    const b = await setup();
    for (const token of [null, 'wrong']) {
      for (const [method, path] of [['GET', BASE], ['POST', BASE], ['GET', `${BASE}/lead`], ['DELETE', `${BASE}/lead`], ['POST', `${BASE}/lead/rescore`]]) {
        const r = await b.call(path, { method, ...(method === 'POST' ? { json: model() } : {}) }, token);
        expect(r.status, `${method} ${path} ${token}`).toBe(401);
      }
    }
    expect((await b.send('GET', BASE)).body.models).toEqual([]);
  });

  it('answers 404 for unknown models and jobs', async () => {
    const b = await setup();
    for (const [method, path] of [
      ['GET', `${BASE}/nope`], ['DELETE', `${BASE}/nope`], ['GET', `${BASE}/nope/export`], ['GET', `${BASE}/nope/distribution`],
      ['GET', `${BASE}/nope/ranks?contacts=a`], ['POST', `${BASE}/nope/rescore`], ['GET', `${BASE}/nope/rescore/id-1`],
    ]) {
      const r = await b.send(method, path);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body.error.message).toMatch(/nope/);
    }
    expect((await b.send('PUT', `${BASE}/nope`, model({ id: 'nope' }))).status).toBe(404);
    await b.send('POST', BASE, model());
    expect((await b.send('GET', `${BASE}/lead/rescore/no-such-job`)).status).toBe(404);
  });
});

describe('rescore', () => {
  it('applies a condition rule to existing contacts with progress; a later change takes the points back', async () => {
    const b = await setup();
    await contact(b, 'ann', { job_title: 'CEO' });
    await contact(b, 'bob', { job_title: 'Co-founder & CEO' });
    await contact(b, 'cat', { job_title: 'Engineer' });
    expect((await b.send('POST', BASE, model({ rules: [CEO] }))).status).toBe(201);
    // The rule applies from then on: nobody has points yet.
    expect((await b.send('GET', '/api/contacts/ann')).body.fields.score).toBeUndefined();

    const started = await b.send('POST', `${BASE}/lead/rescore`);
    expect(started.status).toBe(202);
    expect(started.body.job).toMatchObject({ status: 'running', processed: 0, total: 3 });
    const job = await finished(b, 'lead', started.body.job.id);
    expect(job).toMatchObject({ id: started.body.job.id, status: 'done', processed: 3, total: 3 });

    for (const id of ['ann', 'bob']) {
      expect((await b.send('GET', `/api/contacts/${id}`)).body.fields.score).toBe(10);
      const history = await b.send('GET', `/api/contacts/${id}/history?field=score`);
      expect(history.body.history.map((h: { cause: unknown }) => h.cause)).toEqual([{ scoringModel: 'lead', rule: 'ceo' }]);
    }
    expect((await b.send('GET', '/api/contacts/cat')).body.fields.score).toBeUndefined();

    // Idempotent: a second rescore changes nothing.
    const second = await b.send('POST', `${BASE}/lead/rescore`);
    await finished(b, 'lead', second.body.job.id);
    expect((await b.send('GET', '/api/contacts/ann/history?field=score')).body.history).toHaveLength(1);

    const patched = await b.send('PATCH', '/api/contacts/ann', { fields: { job_title: 'Advisor' } });
    expect(patched.status).toBe(200);
    expect(patched.body.fields.score).toBe(0);
    const history = (await b.send('GET', '/api/contacts/ann/history?field=score')).body.history;
    expect(history[0]).toMatchObject({ from: 10, to: 0, cause: { scoringModel: 'lead', rule: 'ceo' } });
  });
});

describe('rescore progress', () => {
  it('is readable while the rescore runs, batch by batch, and asking again answers the running job', async () => {
    const b = await setup();
    const n = 2_500;
    await createContacts(b.rt, Array.from({ length: n }, (_, i) => ({ id: `c${String(i).padStart(5, '0')}`, fields: { job_title: i % 2 ? 'CEO' : 'Engineer' } })), { api: true });
    await b.send('POST', BASE, model({ rules: [CEO] }));
    const started = (await b.send('POST', `${BASE}/lead/rescore`)).body.job;
    expect(started).toMatchObject({ status: 'running', total: n });
    const again = await b.send('POST', `${BASE}/lead/rescore`);
    expect(again.status).toBe(202);
    expect(again.body.job.id).toBe(started.id);
    const seen: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const { job } = (await b.send('GET', `${BASE}/lead/rescore/${started.id}`)).body;
      seen.push(job.processed);
      if (job.status !== 'running') break;
      await new Promise((done) => setTimeout(done, 1));
    }
    // Seen between batches (1,000 contacts each), not only at the start and the end.
    expect(seen.some((v) => v > 0 && v < n)).toBe(true);
    expect(seen[seen.length - 1]).toBe(n);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    const d = (await b.send('GET', `${BASE}/lead/distribution`)).body;
    expect(d.bands[1]).toEqual({ from: 10, to: 20, count: n / 2 });
  });
});

describe('scores of contacts', () => {
  async function scored() {
    const b = await setup();
    await b.send('POST', BASE, model({ rules: [CEO], brackets: [{ name: 'High', min: 10 }, { name: 'Low', min: 0 }] }));
    await contact(b, 'ann', { job_title: 'CEO' });
    await contact(b, 'bob', { job_title: 'CEO of things' });
    await contact(b, 'cat', { job_title: 'Engineer' });
    await contact(b, 'dan', { job_title: 'Engineer', score: 4.004 });
    return b;
  }

  it('answers score, bracket and percent rank per model on the contacts list and the contact page', async () => {
    const b = await scored();
    const list = await b.send('GET', '/api/contacts?sort=score');
    expect(list.body.contacts.map((c: { id: string }) => c.id)).toEqual(['ann', 'bob', 'dan', 'cat']);
    expect(Object.fromEntries(list.body.contacts.map((c: { id: string; scores: unknown }) => [c.id, c.scores]))).toEqual({
      ann: { lead: { field: 'score', score: 10, bracket: 'High', percentRank: 100 } },
      bob: { lead: { field: 'score', score: 10, bracket: 'High', percentRank: 100 } },
      dan: { lead: { field: 'score', score: 4.004, bracket: 'Low', percentRank: 50 } },
      cat: { lead: { field: 'score', score: null, bracket: 'Low', percentRank: 25 } },
    });
    const asc = await b.send('GET', '/api/contacts?sort=score&dir=asc&limit=2');
    expect(asc.body.contacts.map((c: { id: string }) => c.id)).toEqual(['dan', 'ann']);
    expect((await b.send('GET', '/api/contacts/dan')).body.scores).toEqual({ lead: { field: 'score', score: 4.004, bracket: 'Low', percentRank: 50 } });

    const ranks = await b.send('GET', `${BASE}/lead/ranks?contacts=ann,cat,nobody`);
    expect(ranks.body).toEqual({ ranks: { ann: { score: 10, bracket: 'High', percentRank: 100 }, cat: { score: null, bracket: 'Low', percentRank: 25 } } });
    expect((await b.send('GET', `${BASE}/lead/ranks?contacts=,`)).status).toBe(400);
    expect((await b.send('GET', `${BASE}/lead/ranks`)).status).toBe(400);

    // Without scoring models, contacts answer as they did before them.
    await b.send('DELETE', `${BASE}/lead`);
    expect((await b.send('GET', '/api/contacts/dan')).body.scores).toBeUndefined();
    expect((await b.send('GET', '/api/contacts')).body.contacts[0].scores).toBeUndefined();
  });

  it('answers the distribution of a model', async () => {
    const b = await scored();
    const d = await b.send('GET', `${BASE}/lead/distribution`);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ modelId: 'lead', field: 'score', total: 4 });
    expect(d.body.mean).toBeCloseTo(24.004 / 4, 10);
    expect(d.body.median).toBeCloseTo((4.004 + 10) / 2, 10);
    expect(d.body.bands).toHaveLength(10);
    expect(d.body.bands.slice(0, 2)).toEqual([{ from: 0, to: 10, count: 2 }, { from: 10, to: 20, count: 2 }]);
    expect(d.body.brackets).toEqual([{ name: 'High', min: 10, count: 2 }, { name: 'Low', min: 0, count: 2 }]);
  });
});
