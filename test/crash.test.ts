import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CrashClient, allContacts, fieldHistory, prng, whenDb } from './crash-client.js';
import { ExpectedContact, pointsFor } from './crash-expected.js';
import { api, killAll, ROOT } from './server-process.js';

/**
 * Crash safety (issue 8): the real server process, killed with SIGKILL at random moments while it
 * takes in events, fires waits, degrades scores and publishes, then restarted on the same file.
 * The client resends what was not acknowledged (event ids make that safe); every expected value is
 * worked out here from the events and the clock, never by the engine.
 *
 * `SCOREMAP_SOAK=1` (npm run test:soak) runs more rounds, events and contacts; `SCOREMAP_CRASH_SEED`
 * replays a run (the seed is printed).
 */
const SOAK = process.env.SCOREMAP_SOAK === '1';
const SEED = Number(process.env.SCOREMAP_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`crash.test: seed ${SEED} (replay with SCOREMAP_CRASH_SEED=${SEED})${SOAK ? ', soak' : ''}`);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (t: number) => new Date(t).toISOString();
const tempDb = () => `${mkdtempSync(`${tmpdir()}/scoremap-crash-`)}/scoremap.db`;
const contactId = (i: number) => `c${String(i).padStart(5, '0')}`;

afterEach(killAll);

type Event = { id: string; contact: { id: string }; type: string; at: string; props: Record<string, string> };
type Step = { kind: 'events'; at: number; events: Event[]; backfill?: true } | { kind: 'advance'; to: number };

const TYPES = ['email_link_clicked', 'page_visited', 'page_visited', 'form_submitted', 'demo_requested', 'email_opened'];

/**
 * The workload: batches of events at whole hours, the clock moving 1–12 hours between batches, then
 * 35 days in weekly steps so every loop runs out and every reset fires. Events carry an `at` a few
 * minutes before the clock (never a whole hour), so a reset (last activity + 30 days) never falls on
 * the same instant as a wait (an action + whole days): the expected order is never a tie.
 *
 * The middle batch is a backfill: clicks 31 days ago of contacts kept quiet until then, so each arms
 * a reset due at once (last activity + 30 days is past), which the server runs right after
 * committing the batch and before answering: a window to kill it in with the batch stored but not
 * acknowledged.
 */
function workload(rand: () => number, contacts: number, events: number, batchSize: number, start: number): Step[] {
  const steps: Step[] = [];
  let now = start;
  let n = 0;
  const backfill = Math.floor(events / batchSize / 2);
  for (let b = 0; n < events; b++) {
    now += (1 + Math.floor(rand() * 12)) * HOUR;
    steps.push({ kind: 'advance', to: now });
    const batch: Event[] = [];
    for (let i = 0; i < batchSize && n < events; i++, n++) {
      const minutes = (1 + Math.floor(rand() * 59)) * MINUTE;
      if (b === backfill) {
        batch.push({ id: `ev-${n}`, contact: { id: contactId(i) }, type: 'email_link_clicked', at: iso(now - 31 * DAY - minutes), props: {} });
        continue;
      }
      const type = TYPES[Math.floor(rand() * TYPES.length)];
      const props: Record<string, string> = type === 'page_visited' ? { url: rand() < 0.5 ? '/pricing' : '/blog/post' } : {};
      // Before the backfill, its contacts (the first `batchSize`) get no events.
      const contact = b < backfill ? batchSize + Math.floor(rand() * (contacts - batchSize)) : Math.floor(rand() * contacts);
      batch.push({ id: `ev-${n}`, contact: { id: contactId(contact) }, type, at: iso(now - minutes), props });
    }
    steps.push({ kind: 'events', at: now, events: batch, ...(b === backfill ? { backfill: true as const } : {}) });
  }
  for (let w = 0; w < 5; w++) steps.push({ kind: 'advance', to: (now += 7 * DAY) });
  return steps;
}

describe('crash safety: SIGKILL at random moments, restart, resend', () => {
  it('events with ids and firing waits: after every kill and resend, each score and each wait is counted exactly once', { timeout: SOAK ? 900_000 : 120_000 }, async () => {
    const rand = prng(SEED);
    const CONTACTS = SOAK ? 5_000 : 1_000;
    const EVENTS = SOAK ? 100_000 : 20_000;
    const KILLS = SOAK ? 25 : 4;
    const start = Date.parse('2026-01-01T00:00:00Z');
    const steps = workload(rand, CONTACTS, EVENTS, 500, start);
    const client = await new CrashClient(tempDb(), iso(start)).start();

    const imported = await client.ok('/templates/custom-lead-score/import', {});
    const mapId: string = imported.map.id;
    await client.ok(`/maps/${mapId}/publish`, {});
    const contacts = Array.from({ length: CONTACTS }, (_, i) => ({ id: contactId(i) }));
    expect((await client.ok('/contacts/import?wait=true', { contacts })).created).toBe(CONTACTS);

    // Kill during some steps, at a random moment within about how long such a step takes (when the
    // step is done sooner, the kill falls between two requests: the next one finds no server).
    // One more kill comes the moment the backfill batch commits, while the server runs the resets it
    // armed and before it answers (it nearly always lands there: the resend is then all duplicates).
    const afterCommit = steps.findIndex((st) => st.kind === 'events' && st.backfill);
    const killAt = new Set<number>();
    while (killAt.size < KILLS) {
      const i = Math.floor(rand() * steps.length);
      if (i !== afterCommit) killAt.add(i);
    }
    const took = { events: 50, advance: 50 };
    const answers: { accepted: number; duplicates: number; size: number; killed: boolean }[] = [];
    for (const [i, step] of steps.entries()) {
      const began = Date.now();
      if (killAt.has(i) || i === afterCommit) await client.ensureRunning();
      const killed = killAt.has(i)
        ? client.killAfter(rand() * took[step.kind] * 1.5)
        : i === afterCommit && step.kind === 'events'
          ? whenDb(client.db, (d) => d.prepare('select 1 from events where id = ?').get(step.events[0].id) !== undefined).then(() => client.kill())
          : undefined;
      if (step.kind === 'advance') await client.advance(iso(step.to));
      else answers.push({ ...(await client.ok('/events', step.events)), size: step.events.length, killed: killed !== undefined });
      took[step.kind] = (took[step.kind] + (Date.now() - began)) / 2;
      await killed;
    }
    await client.call('/health');
    expect(client.restarts).toBe(KILLS + 1);
    // A batch is stored whole or not at all: its answer is all accepted, or, when the kill came
    // after the commit but before the answer, all duplicates on the resend.
    expect(answers.filter((a) => !(a.accepted === a.size || (a.killed && a.duplicates === a.size)))).toEqual([]);
    console.log(`crash.test: ${KILLS + 1} kills; ${answers.filter((a) => a.duplicates).length} batches were stored before the kill and acknowledged as duplicates on the resend`);

    // The same events worked out by hand, contact by contact.
    const expected = new Map(contacts.map((c) => [c.id, new ExpectedContact()]));
    const byType: Record<string, number> = {};
    for (const step of steps) {
      if (step.kind === 'advance') {
        for (const c of expected.values()) c.runUntil(step.to);
        continue;
      }
      for (const e of step.events) {
        expected.get(e.contact.id)!.event(step.at, Date.parse(e.at), e.type, e.props);
        const p = pointsFor(e.type, e.props);
        if (p) byType[p.element] = (byType[p.element] ?? 0) + 1;
      }
    }

    const actual = await allContacts(client, ['custom_lead_score']);
    expect(actual.size).toBe(CONTACTS);
    const wrong = [...expected].filter(([id, c]) => (actual.get(id)!.fields.custom_lead_score ?? 0) !== c.score);
    expect(wrong.slice(0, 5).map(([id, c]) => ({ id, expected: c.score, actual: actual.get(id)!.fields.custom_lead_score }))).toEqual([]);

    // Every wait fired once, every reset once, every action once: in the element counts …
    const sum = (k: keyof ExpectedContact['counts']) => [...expected.values()].reduce((n, c) => n + c.counts[k], 0);
    const stats = (await client.ok(`/maps/${mapId}/stats`)).elements;
    expect(stats.decay.wereHere).toBe(sum('decay'));
    expect(stats.reset.wereHere).toBe(sum('reset'));
    for (const el of ['add_click', 'add_pricing', 'add_form', 'add_demo']) expect(stats[el].wereHere).toBe(byType[el] ?? 0);
    expect(stats.decay.wereHere).toBeGreaterThan(CONTACTS);
    expect(stats.reset.wereHere).toBeGreaterThan(0);
    expect(Object.values(stats).reduce((n: number, s) => n + (s as { errors: number }).errors, 0)).toBe(0);

    // … and in each contact's history (the soak run checks every contact, CI a sample of 200).
    const ids = [...expected.keys()].filter((_, i) => SOAK || i % Math.ceil(CONTACTS / 200) === 0);
    for (const id of ids) {
      const history = await fieldHistory(client, id, 'custom_lead_score');
      const count = (pred: (el: string) => boolean) => history.filter((h) => pred(String(h.cause.element))).length;
      const c = expected.get(id)!;
      expect({ id, add: count((el) => el.startsWith('add_')), decay: count((el) => el === 'decay'), reset: count((el) => el === 'reset') })
        .toEqual({ id, ...c.counts });
    }

    // The client may as well resend everything: all duplicates, nothing changes.
    let duplicates = 0;
    for (const step of steps) if (step.kind === 'events') duplicates += (await client.ok('/events', step.events)).duplicates;
    expect(duplicates).toBe(EVENTS);
    expect((await client.ok(`/maps/${mapId}/stats`)).elements.decay.wereHere).toBe(sum('decay'));
    const again = await allContacts(client, ['custom_lead_score']);
    expect([...again].filter(([id, c]) => (c.fields.custom_lead_score ?? 0) !== expected.get(id)!.score)).toEqual([]);
  });

  it('a kill in the middle of the daily degradation: after the restart every contact is degraded exactly once that day', { timeout: SOAK ? 600_000 : 120_000 }, async () => {
    const rand = prng(SEED + 1);
    // Enough contacts for several batches of the degradation after the one the first kill waits for.
    const CONTACTS = SOAK ? 20_000 : 6_000;
    const KILLS = SOAK ? 6 : 2;
    const db = tempDb();
    const client = await new CrashClient(db, '2026-01-01T09:00:00Z').start();
    // Two models: one whose score a map listens to (degraded through the engine, a batch per
    // transaction, with a cursor), one nobody listens to (degraded in one set-based statement).
    const recommended = JSON.parse(readFileSync(`${ROOT}/maps/recommended-scoring.json`, 'utf8'));
    await client.ok('/scoring-models', recommended);
    await client.ok('/scoring-models', {
      id: 'engagement', name: 'Engagement', field: 'engagement_score', min: 0, max: 100, degradation: { percentPerDay: 10 },
      fields: [{ key: 'engagement_score', label: 'Engagement score', type: 'number', decimals: 3 }],
      rules: [{ id: 'click', label: 'Clicked', when: { event: 'email_link_clicked' }, points: 7 }],
    });
    const brackets = await client.ok('/templates/score-brackets/import', {});
    await client.ok(`/maps/${brackets.map.id}/publish`, {});
    const contacts = Array.from({ length: CONTACTS }, (_, i) => ({ id: contactId(i) }));
    await client.ok('/contacts/import?wait=true', { contacts });

    // Points by the recommended model's rules (clicks 5, subscriptions 25, big purchases 20), kept to 0–100.
    const points: Record<string, number> = { email_link_clicked: 5, subscription_started: 25, purchase: 20 };
    const score = new Map(contacts.map((c) => [c.id, 0]));
    const engagement = new Map(contacts.map((c) => [c.id, 0]));
    const events = [];
    for (let n = 0; n < CONTACTS * 3; n++) {
      const id = contactId(Math.floor(rand() * CONTACTS));
      const type = Object.keys(points)[Math.floor(rand() * 3)];
      events.push({ id: `ev-${n}`, contact: { id }, type, props: type === 'purchase' ? { amount: 900, product: 'pro' } : {} });
      score.set(id, Math.min(100, score.get(id)! + points[type]));
      if (type === 'email_link_clicked') engagement.set(id, Math.min(100, engagement.get(id)! + 7));
    }
    for (let i = 0; i < events.length; i += 5_000) await client.ok('/events', events.slice(i, i + 5_000));

    // Midnight UTC. Kill as soon as a batch of the degradation has committed (the run's cursor moved)
    // and before it finishes: mid-way by construction. The client's retried advance goes on from
    // the cursor, and is killed again at its next batch, KILLS times.
    const day = '2026-01-02';
    const degrading = [...score.values()].filter((s) => s > 0).length;
    const kills: number[] = [];
    let advanced = false;
    const killer = (async () => {
      const cursor = (d: Database.Database) => (d.prepare('select cursor, finished from degradation_runs where model_id = ? and day = ?').get('recommended', day) as { cursor: string | null; finished: number } | undefined);
      for (let k = 0; k < KILLS && !advanced; k++) {
        // Running again after the last kill (a restart counted, the server up): only a batch it
        // commits from here is the next one (one may have committed as the last kill landed).
        while ((client.restarts < k || client.killed) && !advanced) await new Promise((ok) => setTimeout(ok, 2));
        let last: string | null = null;
        await whenDb(db, (d) => {
          last = cursor(d)?.cursor ?? null;
          return true;
        });
        let run: { cursor: string | null; finished: number } | undefined;
        await whenDb(db, (d) => {
          run = cursor(d);
          return advanced || run?.finished === 1 || (run?.cursor != null && run.cursor !== last);
        });
        if (advanced || run!.finished === 1) return;
        client.kill();
        await whenDb(db, (d) => {
          kills.push((d.prepare(`select count(*) n from history where cause_json = '{"decay":"recommended"}'`).get() as { n: number }).n);
          return true;
        });
      }
    })();
    await client.advance('2026-01-02T00:00:01Z');
    advanced = true;
    await killer;
    await client.ensureRunning(); // a kill that came as the last batch committed left no request to fail
    // The first kill landed mid-way: some contacts degraded (committed batches), not all; each
    // later one (after a restart and the retried advance) further on.
    console.log(`crash.test: degradation of ${degrading} contacts killed after ${kills.join(', ')} of them`);
    expect(kills[0]).toBeGreaterThan(0);
    expect(kills[0]).toBeLessThan(degrading);
    expect(kills).toEqual([...kills].sort((a, b) => a - b));
    expect(client.restarts).toBe(kills.length);

    const round3 = (x: number) => Math.round(x * 1000) / 1000;
    const actual = await allContacts(client, ['score', 'engagement_score', 'lifecycle_stage']);
    const wrong = [];
    for (const [id, c] of actual) {
      const s = round3(score.get(id)! * 0.97);
      const e = round3(engagement.get(id)! * 0.9);
      const bracket = s >= 70 ? 'high' : s >= 40 ? 'medium' : 'low';
      const got = { score: c.fields.score ?? 0, engagement: c.fields.engagement_score ?? 0, tags: c.tags, stage: c.fields.lifecycle_stage };
      const want = { score: s, engagement: e, tags: [bracket], stage: bracket[0].toUpperCase() + bracket.slice(1) };
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push({ id, got, want });
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(actual.size).toBe(CONTACTS);
    // One degradation entry per contact for that day (a sample's history).
    for (const id of [...score.keys()].filter((id, i) => score.get(id)! > 0 && i % Math.ceil(CONTACTS / 200) === 0)) {
      const decays = (await fieldHistory(client, id, 'score')).filter((h) => h.cause.decay === 'recommended');
      expect(decays.map((h) => h.at)).toEqual([`${day}T00:00:00.000Z`]);
    }
  });

  /** A map whose contacts wait 3 days at `hold` (v1); v2 replaces it by a 1-day `hold2` and says so in a field. */
  const nurture = (version: 1 | 2) => ({
    name: 'Nurture',
    fields: [{ key: 'nurtured_by', label: 'Nurtured by', type: 'text' }],
    elements: [
      { id: 'start', kind: 'trigger', on: { type: 'event', event: 'trial_started' }, next: version === 1 ? 'hold' : 'hold2' },
      version === 1
        ? { id: 'hold', kind: 'wait', for: { days: 3 }, next: 'mark' }
        : { id: 'hold2', kind: 'wait', for: { days: 1 }, next: 'mark' },
      { id: 'mark', kind: 'update_field', field: 'nurtured_by', value: `"v${version}"`, next: 'done' },
      { id: 'done', kind: 'end' },
    ],
  });

  for (const when of ['at a random moment', 'right after the publish commits'] as const) {
    it(`a kill during a publish (${when}): the map is wholly on one version, every contact in one place, relocated contacts wait from the publish`, { timeout: 120_000 }, async () => {
      const rand = prng(SEED + 2);
      const CONTACTS = SOAK ? 20_000 : 3_000;
      const db = tempDb();
      const t0 = Date.parse('2026-01-01T09:00:00Z');
      const client = await new CrashClient(db, iso(t0)).start();
      const { map } = await client.ok('/maps', nurture(1));
      await client.ok(`/maps/${map.id}/publish`, {});
      const contacts = Array.from({ length: CONTACTS }, (_, i) => ({ id: contactId(i) }));
      await client.ok('/contacts/import?wait=true', { contacts });
      const trials = contacts.map((c, i) => ({ id: `trial-${i}`, contact: { id: c.id }, type: 'trial_started' }));
      for (let i = 0; i < trials.length; i += 5_000) await client.ok('/events', trials.slice(i, i + 5_000));
      expect((await client.ok(`/maps/${map.id}/stats`)).elements.hold.hereNow).toBe(CONTACTS);

      // An hour later, v2 goes live: the contacts at `hold` (removed) move to `hold2`.
      const published = t0 + HOUR;
      await client.advance(iso(published));
      const draft = await client.ok(`/maps/${map.id}`);
      await client.ok(`/maps/${map.id}`, { map: nurture(2), rev: draft.map.rev }, 'PUT');
      // Sent once, not retried: a publish is not idempotent (a second one makes another version).
      const publishing = api(client.server, `/maps/${map.id}/publish`, { relocate: { hold: 'hold2' } }).catch((e: Error) => e);
      if (when === 'right after the publish commits') {
        await whenDb(db, (d) => (d.prepare('select version from maps where id = ?').get(map.id) as { version: number }).version === 2);
        client.kill();
      } else {
        await client.killAfter(rand() * 300);
      }
      const answer = await publishing;
      await client.restart();

      // Whole on v1 or whole on v2: every contact on the map once, at the element of that version.
      const stats = await client.ok(`/maps/${map.id}/stats`);
      expect(stats.totals.hereNow).toBe(CONTACTS);
      expect(stats.totals.errors).toBe(0);
      if (stats.version === 1) {
        expect(answer).toBeInstanceOf(Error);
        expect(stats.elements.hold.hereNow).toBe(CONTACTS);
        // The client sees v1 still live and publishes again.
        expect(await client.ok(`/maps/${map.id}/publish`, { relocate: { hold: 'hold2' } })).toMatchObject({ version: 2, relocated: CONTACTS });
      } else {
        expect(stats.version).toBe(2);
        expect(stats.elements.hold2.hereNow).toBe(CONTACTS);
        expect(stats.elements.hold?.hereNow ?? 0).toBe(0);
      }
      if (when === 'right after the publish commits') expect(stats.version).toBe(2);

      // Relocated contacts arrived at hold2 at the publish: they go on a day after it, not 3 days
      // after they entered (v1's wait), whichever moment the kill came at.
      await client.advance(iso(published + DAY - MINUTE));
      expect((await client.ok(`/maps/${map.id}/stats`)).elements.hold2.hereNow).toBe(CONTACTS);
      await client.advance(iso(published + DAY));
      const after = await allContacts(client, ['nurtured_by']);
      expect([...after.values()].filter((c) => c.fields.nurtured_by !== 'v2').length).toBe(0);
      const end = await client.ok(`/maps/${map.id}/stats`);
      expect(end.totals.hereNow).toBe(0);
      expect(end.elements.mark.wereHere).toBe(CONTACTS);
    });
  }

  it('a kill in the middle of a cron tick: after the restart every contact entered once for that tick', { timeout: 120_000 }, async () => {
    const CONTACTS = SOAK ? 20_000 : 3_000;
    const db = tempDb();
    const client = await new CrashClient(db, '2026-01-01T09:00:00Z').start();
    const { map } = await client.ok('/maps', {
      name: 'Nightly',
      fields: [{ key: 'nights', label: 'Nights', type: 'number' }],
      elements: [
        { id: 'tick', kind: 'trigger', on: { type: 'schedule', cron: '0 3 * * *' }, next: 'count' },
        { id: 'count', kind: 'update_field', field: 'nights', value: '[Nights] + 1', next: 'done' },
        { id: 'done', kind: 'end' },
      ],
    });
    await client.ok(`/maps/${map.id}/publish`, {});
    await client.ok('/contacts/import?wait=true', { contacts: Array.from({ length: CONTACTS }, (_, i) => ({ id: contactId(i) })) });

    // Kill once the tick's first page of contacts has committed.
    const advancing = client.advance('2026-01-02T03:00:00Z');
    let entered = 0;
    await whenDb(db, (d) => (entered = (d.prepare("select count(*) n from history where field = 'nights'").get() as { n: number }).n) > 0);
    client.kill();
    await advancing;
    expect(client.restarts).toBe(1);
    expect(entered).toBeLessThan(CONTACTS);

    const nights = await allContacts(client, ['nights']);
    expect([...nights.values()].filter((c) => c.fields.nights !== 1).length).toBe(0);
    expect((await client.ok(`/maps/${map.id}/stats`)).elements.count.wereHere).toBe(CONTACTS);
  });
});
