import { describe, expect, it } from 'vitest';
import { scoreMap, setup } from '../routes/testing.js';
import { addPerson, asPerson, signIn } from '../people/testing.js';

type App = Awaited<ReturnType<typeof setup>>;
const TOKEN_ACTOR = { kind: 'token', id: null, name: 'the start-up token' };
const MINUTE = 60_000;

/** The log, newest first, as `GET /api/audit` answers it (with a query string). */
async function log(b: App, query = '') {
  const r = await b.send('GET', `/api/audit${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { entries: { id: number; at: string; actor: unknown; action: string; targetType: string; targetId: string | null; summary: string; detail: any }[]; nextBefore?: number };
}
const summaries = async (b: App, query = '') => (await log(b, query)).entries.map((e) => `${e.action}: ${e.summary}`);

const MODEL = {
  id: 'lead', name: 'Lead score', field: 'score', min: 0, max: 100,
  rules: [{ id: 'visit', label: 'Visited pricing', when: { event: 'page_visited' }, points: 10 }],
};

describe('the audit log records each configuration change', () => {
  it('maps: create, draft saves folded per person, publish with relocation, pause, resume, restore, delete; versions name their author', async () => {
    const b = await setup();
    const made = await b.send('POST', '/api/maps?id=cls', scoreMap());
    expect(made.status).toBe(201);
    // Three saves within ten minutes of each other: one entry, which says what they changed all told.
    const doc = structuredClone(made.body.map.doc);
    doc.elements.find((e: { id: string }) => e.id === 'add5').label = 'Add five';
    let rev = made.body.map.rev;
    for (const step of [0, 1, 2]) {
      if (step === 1) doc.elements.push({ id: 'extra', kind: 'end', label: 'Stop here' });
      if (step === 2) doc.name = 'Clicks score';
      b.clock.set(b.clock.now() + 4 * MINUTE);
      const saved = await b.send('PUT', '/api/maps/cls', { rev, map: doc });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      rev = saved.body.map.rev;
    }
    expect(await summaries(b)).toEqual([
      'map.save: Saved the draft of "Clicks score" (3 saves): renamed from "Custom Lead Score"; added "Stop here"; changed "Add five"',
      'map.create: Created the map "Custom Lead Score"',
    ]);
    // Publishing, then a draft without "extra" whose contacts… (none yet) — and a contact on "wait" relocated.
    expect((await b.send('POST', '/api/maps/cls/publish')).status).toBe(200);
    await b.send('POST', '/api/events', { contact: { email: 'ann@example.com' }, type: 'email_link_clicked' });
    // The wait is replaced by another ("pause"): the contact waiting on it is relocated there.
    const without = {
      ...doc,
      elements: doc.elements.map((e: any) => (e.id === 'wait' ? { ...e, id: 'pause' } : e.id === 'loop' ? { ...e, target: 'pause' } : e.id === 'add5' ? { ...e, next: 'pause' } : e)),
    };
    b.clock.set(b.clock.now() + 20 * MINUTE);
    expect((await b.send('PUT', '/api/maps/cls', { rev, map: without })).status).toBe(200);
    const published = await b.send('POST', '/api/maps/cls/publish', { relocate: { wait: 'pause' } });
    expect(published.body).toMatchObject({ version: 2, relocated: 1 });
    expect((await b.send('POST', '/api/maps/cls/pause')).status).toBe(200);
    expect((await b.send('POST', '/api/maps/cls/resume')).status).toBe(200);
    expect((await b.send('POST', '/api/maps/cls/versions/1/restore')).status).toBe(200);
    expect(await summaries(b)).toEqual([
      'map.restore: Copied version 1 of "Clicks score" into its draft',
      'map.resume: Resumed the map "Clicks score"',
      'map.pause: Paused the map "Clicks score"',
      'map.publish: Published "Clicks score" as version 2, relocating 1 contact',
      'map.save: Saved the draft of "Clicks score": added "pause"; changed "Add five" and "loop"; removed "wait"',
      'map.publish: Published "Clicks score" as version 1',
      'map.save: Saved the draft of "Clicks score" (3 saves): renamed from "Custom Lead Score"; added "Stop here"; changed "Add five"',
      'map.create: Created the map "Custom Lead Score"',
    ]);
    const entries = (await log(b)).entries;
    expect(entries.every((e) => JSON.stringify(e.actor) === JSON.stringify(TOKEN_ACTOR) && e.targetType === 'map' && e.targetId === 'cls')).toBe(true);
    expect(entries[3].detail).toEqual({ version: 2, relocated: 1, removed: { wait: 1 }, relocate: { wait: 'pause' } });
    const versions = await b.send('GET', '/api/maps/cls/versions');
    expect(versions.body.versions.map((v: { author: string }) => v.author)).toEqual(['the start-up token', 'the start-up token']);
    expect((await b.send('GET', '/api/maps/cls/versions/2')).body.author).toBe('the start-up token');
    expect((await b.send('DELETE', '/api/maps/cls')).status).toBe(204);
    expect((await summaries(b))[0]).toBe('map.delete: Deleted the map "Clicks score", taking 1 contact off it');
  });

  it('a save by someone else, or after ten quiet minutes, starts a new entry; a save that changes nothing adds none', async () => {
    const b = await setup();
    await addPerson(b.send, 'editor', 'eve@acme.test', 'Eve Editor');
    const eve = asPerson(b.app, await signIn(b.app, 'eve@acme.test'));
    const made = await b.send('POST', '/api/maps?id=m', scoreMap());
    const doc = structuredClone(made.body.map.doc);
    const save = async (send: typeof b.send, label: string, rev: number) => {
      doc.elements[1].label = label;
      const r = await send('PUT', '/api/maps/m', { rev, map: doc });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.map.rev as number;
    };
    let rev = await save(b.send, 'One', made.body.map.rev);
    rev = await save(eve, 'Two', rev);
    b.clock.set(b.clock.now() + 11 * MINUTE);
    rev = await save(eve, 'Three', rev);
    // The same document again: nothing changed, nothing logged.
    expect((await eve('PUT', '/api/maps/m', { rev, map: doc })).status).toBe(200);
    const entries = (await log(b, '?action=map.save')).entries;
    expect(entries.map((e) => [e.actor, e.summary])).toEqual([
      [{ kind: 'person', id: expect.any(String), name: 'Eve Editor' }, 'Saved the draft of "Custom Lead Score": changed "Three"'],
      [{ kind: 'person', id: expect.any(String), name: 'Eve Editor' }, 'Saved the draft of "Custom Lead Score": changed "Two"'],
      [TOKEN_ACTOR, 'Saved the draft of "Custom Lead Score": changed "One"'],
    ]);
  });

  it('models: create, save, challenger switch and promotion, restore, rescore, delete; versions name their author', async () => {
    const b = await setup();
    await addPerson(b.send, 'editor', 'eve@acme.test', 'Eve Editor');
    const eve = asPerson(b.app, await signIn(b.app, 'eve@acme.test'));
    expect((await eve('POST', '/api/scoring-models', MODEL)).status).toBe(201);
    const v2 = { ...MODEL, rules: [{ ...MODEL.rules[0], points: 15 }, { id: 'demo', label: 'Asked for a demo', when: { event: 'form_submitted' }, points: 30 }] };
    expect((await eve('PUT', '/api/scoring-models/lead', v2)).status).toBe(200);
    // Saved unchanged: no version, no entry.
    expect((await eve('PUT', '/api/scoring-models/lead', v2)).status).toBe(200);
    expect((await b.send('POST', '/api/scoring-models', { ...MODEL, id: 'chal', name: 'Challenger', field: 'score_b', fields: [{ key: 'score_b', label: 'Score B', type: 'number' }], shadow: true })).status).toBe(201);
    expect((await b.send('POST', '/api/scoring-models/lead/versions/1/restore')).status).toBe(200);
    expect((await b.send('POST', '/api/scoring-models/lead/rescore')).status).toBe(202);
    expect((await b.send('DELETE', '/api/scoring-models/chal')).status).toBe(204);
    expect(await summaries(b, '?targetType=model')).toEqual([
      'model.delete: Deleted the scoring model "Challenger" (the scores it wrote stay on the contacts)',
      'model.rescore: Started a rescore of "Lead score" over 0 contacts',
      'model.restore: Restored version 1 of "Lead score" as version 3: changed the rule "Visited pricing" (points 15 → 10); removed the rule "Asked for a demo"',
      'model.create: Created the challenger "Challenger"',
      'model.save: Saved the scoring model "Lead score" as version 2: added the rule "Asked for a demo"; changed the rule "Visited pricing" (points 10 → 15)',
      'model.create: Created the scoring model "Lead score"',
    ]);
    const versions = (await b.send('GET', '/api/scoring-models/lead/versions')).body.versions.map((v: { author: string }) => v.author);
    expect(versions).toEqual(['Eve Editor', 'Eve Editor', 'the start-up token']);
    // A challenger promoted (untick "Challenger"), and a model made a challenger.
    const chal = { ...MODEL, id: 'c2', name: 'Second', field: 'score_c', fields: [{ key: 'score_c', label: 'Score C', type: 'number' }], shadow: true };
    await b.send('POST', '/api/scoring-models', chal);
    expect((await b.send('PUT', '/api/scoring-models/c2', { ...chal, shadow: false })).status).toBe(200);
    expect((await b.send('PUT', '/api/scoring-models/c2', { ...chal, shadow: true, name: 'Second again' })).status).toBe(200);
    expect((await summaries(b, '?targetId=c2')).slice(0, 2)).toEqual([
      'model.challenger: Made "Second again" a challenger as version 3 (scored in shadow, triggering nothing); also renamed from "Second"',
      'model.promote: Promoted the challenger "Second" as version 2: its scores now trigger maps and webhooks',
    ]);
  });

  it('fields, keys, webhooks and settings', async () => {
    const b = await setup();
    expect((await b.send('POST', '/api/fields', { key: 'plan', label: 'Plan', type: 'text' })).status).toBe(201);
    expect((await b.send('PATCH', '/api/fields/plan', { label: 'Price plan', default: 'free' })).status).toBe(200);
    const key = await b.send('POST', '/api/keys', { name: 'Website', scope: 'ingest', origins: ['https://www.acme.test'] });
    expect((await b.send('PATCH', `/api/keys/${key.body.key.id}`, { name: 'Website tracker' })).status).toBe(200);
    expect((await b.send('DELETE', `/api/keys/${key.body.key.id}`)).status).toBe(204);
    const hook = await b.send('POST', '/api/webhooks', { name: 'CRM', url: 'https://crm.acme.test/in', events: ['score.changed'] });
    expect(hook.status).toBe(201);
    const wh = `/api/webhooks/${hook.body.id}`;
    expect((await b.send('PATCH', wh, { status: 'paused' })).status).toBe(200);
    expect((await b.send('PATCH', wh, { status: 'active' })).status).toBe(200);
    expect((await b.send('PATCH', wh, { secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` })).status).toBe(200);
    expect((await b.send('PATCH', wh, { name: 'CRM bridge', events: ['score.changed', 'bracket.changed'] })).status).toBe(200);
    expect((await b.send('DELETE', wh)).status).toBe(204);
    expect((await b.send('PUT', '/api/settings/activity', { notActivity: ['email_bounced', 'email_unsubscribed', 'chat_closed'] })).status).toBe(200);
    expect((await b.send('PUT', '/api/settings/outcomes', { rev: 0, outcomes: [{ id: 'bought', label: 'Bought', event: 'purchase' }] })).status).toBe(200);
    expect((await b.send('PUT', '/api/intake/mapping', { events: { 'Webinar Joined': 'webinar_joined' }, traits: {} })).status).toBe(200);
    expect(await summaries(b)).toEqual([
      'setting.change: Changed the intake\'s names: events: added "Webinar Joined"',
      'setting.change: Changed the outcomes: added "Bought"',
      'setting.change: Changed the event types that do not count as activity: added "chat_closed"; removed "email_marked_spam"',
      'webhook.delete: Deleted the webhook "CRM bridge" (to https://crm.acme.test/in) and its delivery log',
      'webhook.change: Changed the webhook "CRM": name "CRM" → "CRM bridge", events score.changed → score.changed, bracket.changed',
      'webhook.secret: Changed the signing secret of the webhook "CRM"',
      'webhook.resume: Resumed the webhook "CRM"',
      'webhook.pause: Paused the webhook "CRM"',
      'webhook.create: Created the webhook "CRM" to https://crm.acme.test/in (score.changed)',
      'key.revoke: Revoked the API key "Website tracker"',
      'key.change: Changed the API key "Website": name "Website" → "Website tracker"',
      'key.create: Made the ingest API key "Website"',
      'field.change: Changed the field "Plan": label "Plan" → "Price plan", default none → "free"',
      'field.add: Added the text field "Plan" (plan)',
    ]);
    // No secret is ever written into the log.
    expect(JSON.stringify(await log(b))).not.toContain(hook.body.secret);
    expect(JSON.stringify(await log(b))).not.toContain('whsec_Bwc');
  });

  it('a refused change (400, 409, 422) leaves no entry', async () => {
    const b = await setup();
    await b.send('POST', '/api/maps?id=m', scoreMap());
    const before = (await log(b)).entries.length;
    expect((await b.send('PUT', '/api/maps/m', { rev: 99, map: scoreMap() })).status).toBe(409);
    expect((await b.send('PUT', '/api/maps/m', { rev: 1, map: { name: 'x', elements: 'no' } })).status).toBe(422);
    expect((await b.send('POST', '/api/maps?id=m', scoreMap())).status).toBe(409);
    expect((await b.send('POST', '/api/maps/m/pause')).status).toBe(409);
    expect((await b.send('POST', '/api/scoring-models', { ...MODEL, field: 'nope' })).status).toBe(422);
    expect((await b.send('POST', '/api/fields', { key: 'x', label: 'Custom Lead Score', type: 'text' })).status).toBe(409);
    expect((await b.send('PUT', '/api/settings/outcomes', { rev: 5, outcomes: [] })).status).toBe(409);
    expect((await b.send('PUT', '/api/settings/activity', { notActivity: ['Not An Event!'] })).status).toBe(400);
    expect((await b.send('POST', '/api/keys', { name: 'x', scope: 'owner' })).status).toBe(400);
    expect((await log(b)).entries.length).toBe(before);
  });
});

describe('GET /api/audit', () => {
  /** Seven entries by two actors over ten hours (the first: Ada added). */
  async function history() {
    const b = await setup();
    const adminId = await addPerson(b.send, 'admin', 'ada@acme.test', 'Ada Admin');
    const ada = asPerson(b.app, await signIn(b.app, 'ada@acme.test'));
    await b.send('POST', '/api/fields', { key: 'a', label: 'A', type: 'text' });
    await ada('POST', '/api/fields', { key: 'b', label: 'B', type: 'text' });
    const key = (await ada('POST', '/api/keys', { name: 'K', scope: 'read' })).body.key.id as string;
    // Ten hours on (a session ends after twelve idle hours).
    b.clock.set(b.clock.now() + 10 * 3_600_000);
    await b.send('POST', '/api/fields', { key: 'c', label: 'C', type: 'text' });
    await ada('PATCH', '/api/fields/a', { label: 'A2' });
    await b.send('POST', '/api/maps?id=m', scoreMap());
    return { b, adminId, key };
  }

  it('filters by actor, action prefix, target and period, combined; unknown values find nothing', async () => {
    const { b, adminId, key } = await history();
    const ids = async (q: string) => (await log(b, q)).entries.map((e) => `${e.action} ${e.targetId}`);
    expect(await ids(`?actor=${adminId}`)).toEqual(['field.change a', `key.create ${key}`, 'field.add b']);
    expect(await ids('?actor=Ada%20Admin')).toEqual(['field.change a', `key.create ${key}`, 'field.add b']);
    expect(await ids('?actor=the%20start-up%20token&action=field.')).toEqual(['field.add c', 'field.add a']);
    expect(await ids('?action=field.add')).toEqual(['field.add c', 'field.add b', 'field.add a']);
    expect(await ids('?targetType=field&targetId=a')).toEqual(['field.change a', 'field.add a']);
    expect(await ids('?from=2026-01-01T05:00:00Z&action=field')).toEqual(['field.change a', 'field.add c']);
    expect(await ids('?to=2026-01-01T05:00:00Z')).toEqual([`key.create ${key}`, 'field.add b', 'field.add a', `person.add ${adminId}`]);
    expect(await ids('?actor=nobody')).toEqual([]);
    expect(await ids('?action=model.')).toEqual([]);
    expect(await ids('?targetType=field&targetId=zzz')).toEqual([]);
    const actors = (await b.send('GET', '/api/audit/actors')).body.actors;
    expect(actors).toEqual([{ kind: 'person', id: adminId, name: 'Ada Admin' }, TOKEN_ACTOR]);
  });

  it('pages newest first with before, to the last entry', async () => {
    const { b } = await history();
    const all = (await log(b)).entries.map((e) => e.id);
    expect(all).toHaveLength(7);
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await log(b, `?limit=4${before ? `&before=${before}` : ''}`);
      seen.push(...page.entries.map((e) => e.id));
      before = page.nextBefore;
      if (before === undefined) break;
    }
    expect(seen).toEqual(all);
    expect((await log(b, '?limit=7')).nextBefore).toBeUndefined();
    expect((await log(b, '?limit=6')).nextBefore).toBe(all[5]);
  });

  it('refuses malformed filters with 400 in words; viewers and sales people are refused', async () => {
    const { b } = await history();
    for (const [q, words] of [
      ['?limit=0', /limit is at least 1/], ['?limit=501', /limit is at most 500/], ['?limit=x', /limit is a number/],
      ['?from=yesterday', /"from" is not a time/], ['?to=2026-01-01&from=2026-01-02', /must be before/],
      ['?action=map%25', /"action" is an action/], ['?before=abc', /before is an entry id/], ['?who=me', /Unrecognized key/],
    ] as const) {
      const r = await b.send('GET', `/api/audit${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.message, q).toMatch(words);
    }
    for (const role of ['viewer', 'sales'] as const) {
      await addPerson(b.send, role, `${role}@acme.test`);
      const them = asPerson(b.app, await signIn(b.app, `${role}@acme.test`));
      const r = await them('GET', '/api/audit');
      expect(r.status).toBe(403);
      expect(r.body.error.message).toMatch(/needs the editor role/);
    }
    await addPerson(b.send, 'editor', 'ed@acme.test');
    expect((await asPerson(b.app, await signIn(b.app, 'ed@acme.test'))('GET', '/api/audit')).status).toBe(200);
  });
});
