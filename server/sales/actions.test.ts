import { describe, expect, it } from 'vitest';
import { addPerson, asPerson, signIn } from '../people/testing.js';
import { handMap, setup } from '../routes/testing.js';

/** A model on Score with brackets and no rules of its own: the scores here are set by hand. */
const MODEL = { id: 'lead', name: 'Lead', field: 'score', rules: [], brackets: [{ name: 'High', min: 50 }, { name: 'Low', min: 0 }] };

/** An app with the model, a contact Ana at 40, and a sales person, a viewer and an editor signed in. */
async function bench() {
  const b = await setup();
  expect((await b.send('POST', '/api/scoring-models', MODEL)).status).toBe(201);
  expect((await b.send('POST', '/api/contacts', { id: 'ana', fields: { email: 'ana@client.example', first_name: 'Ana', last_name: 'Lopez', score: 40 } })).status).toBe(201);
  await addPerson(b.send, 'sales', 'sam@acme.test', 'Sam Seller');
  await addPerson(b.send, 'viewer', 'vic@acme.test', 'Vic Viewer');
  await addPerson(b.send, 'editor', 'eddie@acme.test', 'Eddie Editor');
  const sales = asPerson(b.app, await signIn(b.app, 'sam@acme.test'));
  const viewer = asPerson(b.app, await signIn(b.app, 'vic@acme.test'));
  const editor = asPerson(b.app, await signIn(b.app, 'eddie@acme.test'));
  const audit = async (action: string) => (await b.store.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute())
    .map((r) => ({ actor: r.actor_name, kind: r.actor_kind, target: r.target_id, summary: r.summary, detail: r.detail_json ? JSON.parse(r.detail_json) : null }));
  const history = async (field: string) => (await b.send('GET', `/api/contacts/ana/history?field=${field}`)).body.history as { from: unknown; to: unknown; cause: Record<string, unknown> }[];
  return { ...b, sales, viewer, editor, audit, history };
}

describe('adjust and reset (SPEC §12)', () => {
  it('adds points as a grant from the person, with the reason in the history, the audit log and the breakdown', async () => {
    const b = await bench();
    const r = await b.sales('POST', '/api/contacts/ana/adjust', { points: 12, reason: 'Called: wants a demo next week' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.fields.score).toBe(52);
    expect(r.body.fields.score_bracket).toBe('High');
    const [row] = await b.history('score');
    expect(row).toMatchObject({ from: 40, to: 52, cause: { api: true, reason: 'Called: wants a demo next week', by: { kind: 'person', name: 'Sam Seller' } } });
    const entries = await b.audit('contact.adjust');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'Sam Seller', kind: 'person', target: 'ana', detail: { points: 12, given: 12, from: 40, to: 52, reason: 'Called: wants a demo next week' } });
    expect(entries[0].summary).toMatch(/Ana Lopez.*\+12.*Called: wants a demo/);
    const scores = await b.sales('GET', '/api/contacts/ana/scores');
    expect(scores.body.models[0].text).toContain('12 adjusted by Sam Seller');

    // The model's bounds hold: 52 + 80 stops at 100, and the audit says what was asked.
    const capped = await b.sales('POST', '/api/contacts/ana/adjust', { points: 80, reason: 'Signed' });
    expect(capped.body.fields.score).toBe(100);
    expect((await b.audit('contact.adjust'))[1].detail).toMatchObject({ points: 80, given: 48 });

    const reset = await b.sales('POST', '/api/contacts/ana/reset', { reason: 'Left the company' });
    expect(reset.status).toBe(200);
    expect(reset.body.fields.score).toBe(0);
    expect((await b.history('score'))[0]).toMatchObject({ from: 100, to: 0, cause: { reason: 'Left the company', by: { name: 'Sam Seller' } } });
    expect(await b.audit('contact.reset')).toMatchObject([{ actor: 'Sam Seller', detail: { from: 100, to: 0, reason: 'Left the company' } }]);
    // The ledger started over: nothing from before counts in the breakdown.
    expect((await b.sales('GET', '/api/contacts/ana/scores')).body.models[0].text).toBe('0 = no points yet');
  });

  it('counts two adjustments made at once, each from the score as the other left it', async () => {
    const b = await bench();
    const [one, two] = await Promise.all([
      b.sales('POST', '/api/contacts/ana/adjust', { points: 5, reason: 'Opened the proposal' }),
      b.send('POST', '/api/contacts/ana/adjust', { points: 7, reason: 'Replied' }),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect((await b.send('GET', '/api/contacts/ana')).body.fields.score).toBe(52);
    expect((await b.audit('contact.adjust')).map((e) => e.detail.given).sort()).toEqual([5, 7]);
  });

  it('refuses bad input in words and changes nothing', async () => {
    const b = await bench();
    const bad = [
      [{ points: 0, reason: 'x' }, /must not be 0/],
      [{ points: 5 }, /reason/],
      [{ points: 5, reason: '   ' }, /give a reason/],
      [{ points: 5, reason: 'x'.repeat(501) }, /500 characters/],
    ] as const;
    for (const [body, words] of bad) {
      const r = await b.sales('POST', '/api/contacts/ana/adjust', body);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(words);
    }
    const unknownModel = await b.sales('POST', '/api/contacts/ana/adjust', { points: 5, reason: 'x', modelId: 'nope' });
    expect(unknownModel.status).toBe(422);
    expect(unknownModel.body.error.message).toMatch(/no scoring model "nope"/);
    expect((await b.sales('POST', '/api/contacts/nobody/adjust', { points: 5, reason: 'x' })).status).toBe(404);
    expect((await b.send('GET', '/api/contacts/ana')).body.fields.score).toBe(40);
    expect(await b.audit('contact.adjust')).toEqual([]);
  });

  it('audits a score changed by editing the field, naming who did it', async () => {
    const b = await bench();
    expect((await b.sales('PATCH', '/api/contacts/ana', { fields: { Score: 45, company: 'Acme' } })).status).toBe(200);
    expect((await b.history('score'))[0].cause).toMatchObject({ api: true, by: { name: 'Sam Seller' } });
    expect(await b.audit('contact.adjust')).toMatchObject([{ actor: 'Sam Seller', detail: { from: 40, to: 45, given: 5, via: 'edit' } }]);
    // A change of other fields is no score change.
    await b.sales('PATCH', '/api/contacts/ana', { fields: { company: 'Beta' } });
    expect(await b.audit('contact.adjust')).toHaveLength(1);
  });
});

describe('qualify, owner and add to a map (SPEC §12)', () => {
  it('accepts or rejects with a reason from the list, firing field_updated triggers on the status', async () => {
    const b = await bench();
    const map = {
      name: 'Rejections', fields: [{ key: 'rejections', label: 'Rejections', type: 'number' }],
      elements: [
        { id: 't', kind: 'trigger', on: { type: 'field_updated', field: 'qualification_status', where: { field: 'qualification_status', op: 'eq', value: 'rejected' } }, next: 'count' },
        { id: 'count', kind: 'update_field', field: 'rejections', value: '[Rejections] + 1', next: 'e' },
        { id: 'e', kind: 'end' },
      ],
    };
    const mapId = (await b.send('POST', '/api/maps', map)).body.map.id;
    expect((await b.send('POST', `/api/maps/${mapId}/publish`)).status).toBe(200);

    const notListed = await b.sales('POST', '/api/contacts/ana/qualify', { status: 'rejected', reason: 'Too tall' });
    expect(notListed.status).toBe(422);
    expect(notListed.body.error.message).toMatch(/"Too tall" is not a reason.*"No budget"/);
    expect((await b.sales('POST', '/api/contacts/ana/qualify', { status: 'rejected' })).status).toBe(400);

    const r = await b.sales('POST', '/api/contacts/ana/qualify', { status: 'rejected', reason: 'no budget' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.fields).toMatchObject({ qualification_status: 'rejected', qualification_reason: 'No budget', rejections: 1 });
    expect((await b.history('qualification_status'))[0]).toMatchObject({ from: null, to: 'rejected', cause: { api: true, reason: 'No budget', by: { name: 'Sam Seller' } } });
    expect(await b.audit('contact.qualify')).toMatchObject([{ actor: 'Sam Seller', summary: 'Rejected Ana Lopez: No budget' }]);

    const accepted = await b.sales('POST', '/api/contacts/ana/qualify', { status: 'accepted', reason: 'Asked for a demo' });
    expect(accepted.body.fields).toMatchObject({ qualification_status: 'accepted', qualification_reason: 'Asked for a demo', rejections: 1 });
    const cleared = await b.sales('POST', '/api/contacts/ana/qualify', { status: null });
    expect(cleared.body.fields.qualification_status).toBeUndefined();
    expect(cleared.body.fields.qualification_reason).toBeUndefined();
    expect((await b.audit('contact.qualify')).map((e) => e.summary)).toEqual(['Rejected Ana Lopez: No budget', 'Accepted Ana Lopez: Asked for a demo', 'Cleared the verdict on Ana Lopez (was accepted)']);

    // The list is an admin's to edit; a reason added there can be chosen.
    const setting = (await b.sales('GET', '/api/settings/qualification')).body;
    expect(setting.reasons.rejected).toContain('Student or job seeker');
    const more = { reasons: { ...setting.reasons, rejected: [...setting.reasons.rejected, 'Duplicate'] }, rev: setting.rev };
    expect((await b.editor('PUT', '/api/settings/qualification', more)).status).toBe(403);
    const saved = await b.send('PUT', '/api/settings/qualification', more);
    expect(saved.status).toBe(200);
    expect(saved.body.rev).toBe(setting.rev + 1);
    expect((await b.send('PUT', '/api/settings/qualification', more)).status).toBe(409);
    expect(await b.audit('setting.change')).toMatchObject([{ kind: 'token', target: 'qualification' }]);
    expect((await b.sales('POST', '/api/contacts/ana/qualify', { status: 'rejected', reason: 'Duplicate' })).status).toBe(200);
  });

  it('gives a lead to a person by email, lists my leads, and adds a contact to a map once', async () => {
    const b = await bench();
    await b.send('POST', '/api/contacts', { id: 'bob', fields: { email: 'bob@client.example', score: 90 } });
    const nobody = await b.sales('PUT', '/api/contacts/ana/owner', { owner: 'ghost@acme.test' });
    expect(nobody.status).toBe(422);
    expect(nobody.body.error.message).toMatch(/No person has the email "ghost@acme.test"/);

    const r = await b.sales('PUT', '/api/contacts/ana/owner', { owner: 'SAM@acme.test' });
    expect(r.status).toBe(200);
    expect(r.body.fields.owner).toBe('sam@acme.test');
    expect((await b.history('owner'))[0].cause).toMatchObject({ by: { name: 'Sam Seller' } });
    expect(await b.audit('contact.owner')).toMatchObject([{ actor: 'Sam Seller', summary: 'Gave Ana Lopez to Sam Seller (sam@acme.test)' }]);
    await b.editor('PUT', '/api/contacts/bob/owner', { owner: 'sam@acme.test' });

    const mine = await b.sales('GET', '/api/contacts?owner=me');
    expect(mine.body.contacts.map((c: { id: string }) => c.id)).toEqual(['bob', 'ana']);
    expect(mine.body.total).toBe(2);
    expect((await b.editor('GET', '/api/contacts?owner=me')).body.total).toBe(0);
    const token = await b.send('GET', '/api/contacts?owner=me');
    expect(token.status).toBe(400);
    expect(token.body.error.message).toMatch(/a key or the start-up token is nobody/);

    const mapId = (await b.send('POST', '/api/maps', handMap())).body.map.id;
    const draft = await b.sales('POST', '/api/contacts/ana/add-to-map', { mapId });
    expect(draft.status).toBe(409);
    await b.send('POST', `/api/maps/${mapId}/publish`);
    expect((await b.sales('POST', '/api/contacts/ana/add-to-map', { mapId })).body).toEqual({ added: 1 });
    expect((await b.sales('POST', '/api/contacts/ana/add-to-map', { mapId })).body).toEqual({ added: 0 });
    expect((await b.send('GET', '/api/contacts/ana')).body.maps.map((m: { mapId: string }) => m.mapId)).toEqual([mapId]);
    expect((await b.history(`map:${mapId}`))).toMatchObject([{ from: null, to: 'added', cause: { api: true, by: { name: 'Sam Seller' } } }]);
  });

  it('refuses each action to a viewer (403 in words) and changes nothing', async () => {
    const b = await bench();
    const mapId = (await b.send('POST', '/api/maps', handMap())).body.map.id;
    await b.send('POST', `/api/maps/${mapId}/publish`);
    const tries: [string, string, unknown][] = [
      ['POST', '/api/contacts/ana/adjust', { points: 5, reason: 'x' }],
      ['POST', '/api/contacts/ana/reset', { reason: 'x' }],
      ['POST', '/api/contacts/ana/qualify', { status: 'accepted', reason: 'Referred' }],
      ['PUT', '/api/contacts/ana/owner', { owner: 'vic@acme.test' }],
      ['POST', '/api/contacts/ana/add-to-map', { mapId }],
      ['PATCH', '/api/contacts/ana', { fields: { score: 1 } }],
    ];
    for (const [method, path, body] of tries) {
      const r = await b.viewer(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error.message).toMatch(/Vic Viewer \(role viewer\).*needs the sales role/);
    }
    const ana = (await b.send('GET', '/api/contacts/ana')).body;
    expect(ana.fields).toMatchObject({ score: 40 });
    expect(ana.fields.owner).toBeUndefined();
    expect(ana.maps).toEqual([]);
    expect(await b.store.db.selectFrom('audit_log').select('action').where('action', 'like', 'contact.%').execute()).toEqual([]);
  });
});

describe('which score an adjustment changes', () => {
  it('the built-in Score with no model; with several models and none on Score, the one named (400 in words without)', async () => {
    const b = await setup();
    await b.send('POST', '/api/contacts', { id: 'ana', fields: { score: 3 } });
    expect((await b.send('POST', '/api/contacts/ana/adjust', { points: 4, reason: 'Met at a fair' })).body.fields.score).toBe(7);

    const model = (id: string, field: string) => ({ id, name: id, field, fields: [{ key: field, label: field, type: 'number' }], rules: [] });
    expect((await b.send('POST', '/api/scoring-models', model('engagement', 'engagement_score'))).status).toBe(201);
    expect((await b.send('POST', '/api/scoring-models', model('fit', 'fit_score'))).status).toBe(201);
    const unsure = await b.send('POST', '/api/contacts/ana/adjust', { points: 5, reason: 'x' });
    expect(unsure.status).toBe(400);
    expect(unsure.body.error.message).toMatch(/Several scoring models run \("engagement", "fit"\).*"modelId"/);
    const fit = await b.send('POST', '/api/contacts/ana/adjust', { points: 5, reason: 'CTO at a big firm', modelId: 'fit' });
    expect(fit.body.fields).toMatchObject({ score: 7, fit_score: 5 });
    expect(fit.body.fields.engagement_score ?? 0).toBe(0);
  });
});

describe('merging by hand (SPEC §12)', () => {
  it('names the person in the history and the audit log', async () => {
    const b = await bench();
    await b.send('POST', '/api/contacts', { id: 'dup', fields: { email: 'ana.lopez@client.example', first_name: 'Ana', job_title: 'CTO' } });
    const r = await b.sales('POST', '/api/contacts/ana/merge', { from: 'dup' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await b.history('job_title'))[0]).toMatchObject({ to: 'CTO', cause: { merge: { from: 'dup', via: 'api', by: { kind: 'person', name: 'Sam Seller' } } } });
    expect(await b.audit('contact.merge')).toMatchObject([{ actor: 'Sam Seller', target: 'ana', summary: 'Merged Ana into Ana Lopez', detail: { from: 'dup', into: 'ana' } }]);
    // A dry run changes nothing and is not audited.
    await b.send('POST', '/api/contacts', { id: 'dup2', fields: { email: 'al@client.example' } });
    expect((await b.sales('POST', '/api/contacts/ana/merge', { from: 'dup2', dryRun: true })).status).toBe(200);
    expect(await b.audit('contact.merge')).toHaveLength(1);
    expect((await b.viewer('POST', '/api/contacts/ana/merge', { from: 'dup2' })).status).toBe(403);
  });
});
