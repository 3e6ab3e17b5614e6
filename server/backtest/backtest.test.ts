import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createContacts } from '../runtime/contacts.js';
import { createMap, publishMap } from '../runtime/maps.js';
import { saveModel } from '../runtime/scoring.js';
import { setup, T0 } from '../routes/testing.js';
import { onPostgres } from '../store/testing.js';
import { simulate } from '../simulate.js';
import { Backtests, runBacktest } from './job.js';
import { readDraft } from './draft.js';
import { ResultStore } from './result.js';

const DAY = 86_400_000;
const TO = T0 + 90 * DAY;
const iso = (t: number) => new Date(t).toISOString();

/** +points a click, +3 a visit, 1 % a day of degradation, up to 10,000. */
const model = (points: number) => ({
  id: 'lead', name: 'Lead score', field: 'lead_score', max: 10_000,
  fields: [{ key: 'lead_score', label: 'Lead score', type: 'number', decimals: 2 }],
  degradation: { percentPerDay: 1 },
  rules: [
    { id: 'clicks', label: 'Clicked a link', when: { event: 'email_link_clicked' }, points },
    { id: 'visits', label: 'Visited a page', when: { event: 'page_visited' }, points: 3 },
  ],
});

/** +add a click to `map_score`, then 2 a day off in a loop. */
const clickMap = (add: number) => ({
  name: 'Click points',
  fields: [{ key: 'map_score', label: 'Map score', type: 'number' }],
  elements: [
    { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, ifOnMap: 'move_here', next: 'add' },
    { id: 'add', kind: 'update_field', field: 'map_score', value: `[Map score] + ${add}`, next: 'wait' },
    { id: 'wait', kind: 'wait', for: { days: 1 }, next: 'decay' },
    { id: 'decay', kind: 'update_field', field: 'map_score', value: 'max(0, [Map score] - 2)', next: 'loop' },
    { id: 'loop', kind: 'goto', target: 'wait' },
  ],
});

const CONTACTS = 30;
const TYPES = ['email_link_clicked', 'page_visited', 'email_opened'];

/**
 * Real history through the real runtime on a manual clock: 30 contacts made at T0, the model and
 * the map published, then 90 days of events (a few a day, at odd minutes), the clock at T0 + 90 days.
 */
async function history(opts: { newcomers?: boolean } = {}) {
  const b = await setup();
  await saveModel(b.rt, model(10), { create: true });
  await createMap(b.rt, clickMap(5), 'clicks');
  await publishMap(b.rt, 'clicks');
  const ids = Array.from({ length: CONTACTS }, (_, i) => `c${String(i).padStart(2, '0')}`);
  await createContacts(b.rt, ids.map((id) => ({ id, fields: { email: `${id}@example.com` } })), { api: true });
  let seed = 42;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let day = 0; day < 90; day++) {
    if (opts.newcomers && day >= 40 && day < 45) {
      // Five contacts made during the period, one a day, who then click and visit like the others.
      const id = `n${day - 40}`;
      await b.rt.advance(T0 + day * DAY + 7_200_000, b.clock);
      await createContacts(b.rt, [{ id, fields: { email: `${id}@example.com`, job_title: 'CEO' } }], { api: true });
      ids.push(id);
    }
    const today: { at: number; contact: string; type: string }[] = [];
    for (let k = 0; k < 4; k++) {
      const at = T0 + day * DAY + Math.floor(next() * DAY);
      // The first month and a half, anyone; then half of the first ones, and the newcomers.
      const pool = day < 45 ? ids.slice(0, CONTACTS) : [...ids.slice(0, CONTACTS / 2), ...ids.slice(CONTACTS)];
      today.push({ at, contact: pool[Math.floor(next() * pool.length)], type: TYPES[Math.floor(next() * TYPES.length)] });
    }
    // Each as it happens (none back-dated: the live engine takes a late event in when it arrives).
    for (const e of today.sort((x, y) => x.at - y.at)) {
      await b.rt.advance(e.at, b.clock);
      await b.rt.ingest([{ contact: { id: e.contact }, type: e.type, at: iso(e.at) }]);
    }
  }
  // Purchases (the outcome) in the last month, by the first five contacts.
  for (let i = 0; i < 5; i++) {
    const at = T0 + (61 + 5 * i) * DAY + 3_600_000;
    await b.rt.advance(at, b.clock);
    await b.rt.ingest([{ contact: { id: ids[i] }, type: 'purchase', at: iso(at) }]);
  }
  await b.rt.advance(TO, b.clock);
  return { ...b, ids };
}

type Bench = Awaited<ReturnType<typeof history>>;

/** Counts and checksums of what a backtest must never touch. */
async function fingerprint(b: Bench) {
  const out: Record<string, string> = {};
  for (const table of ['contacts', 'history', 'events', 'positions', 'score_grants', 'scoring_rule_states', 'date_timers'] as const) {
    const rows = await b.store.db.selectFrom(table).selectAll().execute();
    const text = rows.map((r) => JSON.stringify(Object.entries(r).sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => [k, v === null ? null : String(v)]))).sort().join('\n');
    out[table] = `${rows.length}:${createHash('sha256').update(text).digest('hex')}`;
  }
  return out;
}

/** Starts a backtest over the API and waits until it is no longer running. */
async function backtest(b: Bench, body: Record<string, unknown>) {
  const started = await b.send('POST', '/api/backtest', body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  expect(started.body).toMatchObject({ status: 'running', done: 0 });
  for (;;) {
    const r = await b.send('GET', `/api/backtest/${started.body.id}`);
    expect(r.status).toBe(200);
    if (r.body.status !== 'running') return { ...r.body, started: started.body };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The CSV of every contact: id → { live, draft }. */
async function contactsCsv(b: Bench, id: string) {
  const r = await b.call(`/api/backtest/${id}/contacts?format=csv`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toContain('text/csv');
  expect(r.headers.get('content-disposition')).toContain('attachment');
  const [header, ...lines] = (await r.text()).trim().split('\r\n');
  const out = new Map<string, { email: string; live: number | null; draft: number | null }>();
  for (const line of lines) {
    const [contact, email, live, draft] = line.split(',');
    out.set(contact, { email, live: live === '' ? null : Number(live), draft: draft === '' ? null : Number(draft) });
  }
  return { header, rows: out };
}

/** The stored events of the period as a scenario's events. */
async function storedEvents(b: Bench, from: number, to: number) {
  const rows = await b.store.db.selectFrom('events').selectAll().where('at', '>', from).where('at', '<=', to).orderBy('at').orderBy('accepted_at').orderBy('id').execute();
  return rows.map((e) => ({ id: e.id, contact: { id: e.contact_id }, type: e.type, at: iso(Number(e.at)) }));
}

describe('backtest: a draft on real history', () => {
  it('gives each contact the score the simulation gives for the same contacts and events, beside the real score, and changes nothing real', async () => {
    const b = await history();
    const before = await fingerprint(b);
    const done = await backtest(b, { model: model(25), from: iso(T0), to: iso(TO) });
    expect(done.status, done.error).toBe('done');
    expect(done).toMatchObject({ done: CONTACTS, total: CONTACTS, started: { total: CONTACTS } });
    expect(await fingerprint(b)).toEqual(before);

    const sim = await simulate({
      start: iso(T0), until: iso(TO), maps: [clickMap(5)], scoringModels: [model(25)],
      contacts: b.ids.map((id) => ({ id, fields: { email: `${id}@example.com` } })), events: await storedEvents(b, T0, TO),
    });
    const real = await b.store.loadContacts(b.ids);
    const { header, rows } = await contactsCsv(b, done.id);
    expect(header).toBe('contact,email,live_lead_score,draft_lead_score,difference');
    expect([...rows.keys()]).toEqual(b.ids);
    let differ = 0;
    for (const id of b.ids) {
      const row = rows.get(id)!;
      expect(row.email).toBe(`${id}@example.com`);
      expect(row.draft, `draft score of ${id}`).toBeCloseTo((sim.final[id].lead_score as number | null) ?? 0, 6);
      expect(row.live, `live score of ${id}`).toBe(real.get(id)!.fields.lead_score ?? null);
      if (row.draft !== row.live) differ++;
    }
    // Clicks give 25 instead of 10: contacts who clicked score higher.
    expect(differ).toBeGreaterThan(5);
    expect(done.result).toMatchObject({ from: iso(T0), to: iso(TO), contacts: CONTACTS, field: 'lead_score', changed: differ });
    expect(done.result.sample.length).toBe(differ);
    const gaps = done.result.sample.map((s: { live: number | null; draft: number | null }) => Math.abs((s.draft ?? 0) - (s.live ?? 0)));
    expect(gaps).toEqual([...gaps].sort((x, y) => y - x));
    const counted = (d: { count: number }[]) => d.reduce((n, x) => n + x.count, 0);
    expect(counted(done.result.draft.distribution)).toBe(CONTACTS);
    expect(counted(done.result.live.distribution)).toBe(CONTACTS);
    expect(done.result.draft.distribution.map((x: { min: number }) => x.min)).toEqual(done.result.live.distribution.map((x: { min: number }) => x.min));
    expect(done.result.draft.conversion).toMatchObject({ field: 'lead_score', at: iso(TO), window: '30d', total: { contacts: CONTACTS } });
  }, 120_000);

  it('tries a map draft: the simulation of the draft beside the published map\'s real scores', async () => {
    const b = await history();
    const before = await fingerprint(b);
    const done = await backtest(b, { map: clickMap(8), replaces: 'clicks', from: iso(T0 + 30 * DAY), to: iso(TO) });
    expect(done.status, done.error).toBe('done');
    expect(done.result.field).toBe('map_score');
    expect(await fingerprint(b)).toEqual(before);
    // The same contacts as they were at "from", and the events after it.
    const from = T0 + 30 * DAY;
    const real = await b.store.loadContacts(b.ids);
    const then = new Map<string, { lead_score?: number | null; map_score?: number | null; last_activity_at?: string }>();
    for (const id of b.ids) {
      const at = async (field: string) => {
        const r = await b.store.db.selectFrom('history').select(['to_json']).where('contact_id', '=', id).where('field', '=', field).where('at', '<=', from).orderBy('at', 'desc').orderBy('id', 'desc').executeTakeFirst();
        return r?.to_json ? JSON.parse(r.to_json) : null;
      };
      const last = await at('last_activity_at');
      then.set(id, { lead_score: await at('lead_score'), map_score: await at('map_score'), ...(last !== null ? { last_activity_at: iso(last) } : {}) });
    }
    const sim = await simulate({
      start: iso(from), until: iso(TO), maps: [clickMap(8)], scoringModels: [{ ...model(10), fields: [...model(10).fields, { key: 'map_score', label: 'Map score', type: 'number' }] }],
      contacts: b.ids.map((id) => ({ id, fields: { email: `${id}@example.com`, ...Object.fromEntries(Object.entries(then.get(id)!).filter(([, v]) => v !== null)) } })),
      events: await storedEvents(b, from, TO),
    });
    const { rows } = await contactsCsv(b, done.id);
    for (const id of b.ids) {
      expect(rows.get(id)!.draft, `draft score of ${id}`).toBe((sim.final[id].map_score as number | null) ?? null);
      expect(rows.get(id)!.live, `live score of ${id}`).toBe(real.get(id)!.fields.map_score ?? null);
    }
  }, 120_000);

  it('counts conversions after "to" by band on both sides, the live side as the conversion report gives it', async () => {
    const b = await history();
    const put = await b.send('PUT', '/api/settings/outcomes', { outcomes: [{ id: 'bought', label: 'Bought', event: 'purchase' }], rev: 0 });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const to = T0 + 60 * DAY;
    const done = await backtest(b, { model: model(25), from: iso(T0), to: iso(to), window: '30d', bands: [20, 60] });
    expect(done.status, done.error).toBe('done');
    const report = await b.send('GET', `/api/reports/conversion?field=lead_score&at=${iso(to)}&window=30d&bands=20,60`);
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(done.result.live.conversion).toEqual(report.body);
    expect(done.result.live.conversion.total).toMatchObject({ contacts: CONTACTS, converted: 5 });
    expect(done.result.draft.conversion.total).toMatchObject({ contacts: CONTACTS, converted: 5 });
    expect(done.result.draft.conversion.bands.map((x: { band: string }) => x.band)).toEqual(expect.arrayContaining(['<20', '20–60', '≥60']));
    // The draft's bands hold each contact by its draft score at "to".
    const { rows } = await contactsCsv(b, done.id);
    const high = [...rows.values()].filter((r) => (r.draft ?? 0) >= 60).length;
    expect(done.result.draft.conversion.bands.find((x: { band: string }) => x.band === '≥60').contacts).toBe(high);
  }, 120_000);

  it('makes the contacts made during the period at their moment: a saved model or map gives the live scores', async () => {
    const b = await history({ newcomers: true });
    expect(b.ids).toHaveLength(CONTACTS + 5);
    const model = await backtest(b, { model: { id: 'lead' }, from: iso(T0 + 10 * DAY), to: iso(TO) });
    // From T0 for the map: where a contact stood in a map at a later "from" is not in history (see docs/backtest.md).
    const map = await backtest(b, { map: { id: 'clicks' }, from: iso(T0), to: iso(TO) });
    for (const done of [model, map]) {
      expect(done.status, done.error).toBe('done');
      expect(done).toMatchObject({ total: CONTACTS + 5, done: CONTACTS + 5 });
      const { rows } = await contactsCsv(b, done.id);
      expect([...rows.keys()]).toEqual(expect.arrayContaining(['n0', 'n1', 'n2', 'n3', 'n4']));
      // Made again at their moment, they get the points their events gave live.
      expect(rows.get('n4')!.live).not.toBeNull();
      if (onPostgres && done === model) {
        for (const s of done.result.sample) expect(Math.abs(s.draft - s.live)).toBeLessThanOrEqual(0.0100001);
      } else {
        expect(done.result.sample, JSON.stringify(done.result.sample)).toEqual([]);
      }
    }
    // A contact made after "to" has nothing in the period.
    const r = await b.send('POST', '/api/backtest', { model: { id: 'lead' }, from: iso(T0), to: iso(T0 + 20 * DAY), contacts: ['c00', 'n0'] });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toContain('"n0" was made after "to"');
  }, 120_000);

  it('draws a sample of n: n contacts, the same ones for the same seed', async () => {
    const b = await history();
    const one = await backtest(b, { model: { id: 'lead' }, from: iso(T0), to: iso(TO), sample: 10, seed: 7 });
    const two = await backtest(b, { model: { id: 'lead' }, from: iso(T0), to: iso(TO), sample: 10, seed: 7 });
    const other = await backtest(b, { model: { id: 'lead' }, from: iso(T0), to: iso(TO), sample: 10, seed: 8 });
    expect(one).toMatchObject({ status: 'done', total: 10, done: 10, result: { contacts: 10 } });
    const ids = async (r: { id: string }) => [...(await contactsCsv(b, r.id)).rows.keys()];
    expect(await ids(one)).toHaveLength(10);
    expect(await ids(two)).toEqual(await ids(one));
    expect(await ids(other)).not.toEqual(await ids(one));
    // The saved model unchanged: the draft scores are the live ones, to the last decimal, though the
    // copy is SQLite and the live server may be PostgreSQL (both round as the engine does).
    expect(one.result.sample, JSON.stringify(one.result.sample)).toEqual([]);
    expect(one.result.changed).toBe(0);
  }, 120_000);

  it('moves its progress chunk by chunk up to the total', async () => {
    const b = await history();
    const draft = await readDraft(b.rt, { model: model(25) });
    const results = await ResultStore.open(TO);
    const seen: number[] = [];
    try {
      await runBacktest(b.rt, {
        draft, field: 'lead_score', from: T0, to: TO, windowMs: 30 * DAY, outcomes: [], bands: { kind: 'ranges', edges: [20] }, total: CONTACTS, chunk: 7,
      }, results, (done) => seen.push(done));
    } finally {
      await results.close();
    }
    expect(seen).toEqual([7, 14, 21, 28, 30]);
  }, 120_000);
});

describe('backtest: refused in words, nothing started', () => {
  it('refuses a bad period, an unknown id, a draft that would not save, a bad sample', async () => {
    const b = await setup();
    await saveModel(b.rt, model(10), { create: true });
    await createContacts(b.rt, [{ id: 'ann', fields: { email: 'ann@example.com' } }], { api: true });
    b.clock.set(T0 + 10 * DAY);
    const post = (body: Record<string, unknown>) => b.send('POST', '/api/backtest', { from: iso(T0), to: iso(T0 + DAY), model: { id: 'lead' }, ...body });
    const says = async (body: Record<string, unknown>, status: number, words: string) => {
      const r = await post(body);
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body.error.message).toContain(words);
    };
    await says({ from: iso(T0 + DAY), to: iso(T0) }, 422, 'must be before');
    await says({ to: iso(T0 + 11 * DAY) }, 422, 'is after now');
    await says({ model: { id: 'nope' } }, 404, 'No scoring model with id "nope"');
    await says({ model: undefined, map: { id: 'nope' } }, 404, 'No map with id "nope"');
    await says({ model: undefined }, 400, 'Name the draft');
    await says({ sample: 0 }, 422, '"sample" is how many contacts');
    await says({ sample: -3 }, 422, 'a whole number of 1 or more');
    await says({ contacts: ['ann', 'bob'] }, 404, '"bob"');
    await says({ window: 'a month' }, 422, '"window" is a duration');
    await says({ bands: [50, 20] }, 422, 'ascending');
    await says({ outcomes: ['won'] }, 422, 'no outcome "won"');
    // A draft that saving would refuse gets the same 422 as saving it.
    const bad = { ...model(10), id: 'other', rules: [{ id: 'x', label: 'Fit', when: { if: { field: 'lead_score', op: 'gt', value: 1 } }, points: 5 }] };
    const saved = await b.send('POST', '/api/scoring-models', bad);
    expect(saved.status).toBe(422);
    await says({ model: bad }, 422, saved.body.error.message);
    // A map that publishing would refuse: the same 422 as publishing it.
    const broken = { name: 'Broken', elements: [{ id: 't', kind: 'trigger', on: { type: 'event', event: 'email_opened' }, next: 'gone' }] };
    await createMap(b.rt, broken, 'broken');
    const published = await b.send('POST', '/api/maps/broken/publish', {});
    expect(published.status).toBe(422);
    await says({ model: undefined, map: { id: 'broken' } }, 422, published.body.error.message);
    await says({ model: undefined, map: broken }, 422, published.body.error.message);
    expect((await b.send('GET', '/api/backtest/nope')).status).toBe(404);
    expect((await b.send('GET', '/api/backtest/nope')).body.error.message).toContain('kept for an hour');
  });

  it('runs at most two at once: a third is refused with 429 in words', async () => {
    const b = await setup();
    await saveModel(b.rt, model(10), { create: true });
    b.clock.set(T0 + 2 * DAY);
    const draft = await readDraft(b.rt, { model: model(25) });
    const plan = { draft, field: 'lead_score', from: T0, to: T0 + DAY, windowMs: DAY, outcomes: [], bands: { kind: 'ranges' as const, edges: [20] }, total: 0 };
    const jobs = new Backtests(b.rt);
    const started = [jobs.start(plan), jobs.start(plan)];
    try {
      expect(() => jobs.start(plan)).toThrow(/2 backtests are running already: wait until one is done/);
    } finally {
      // Both finish before the store closes; then a third may start.
      while (started.some((s) => jobs.get(s.id)?.status === 'running')) await new Promise((resolve) => setTimeout(resolve, 5));
      await jobs.close();
    }
    for (const s of started) expect(jobs.get(s.id)).toBeNull();
  });
});
