import { afterEach, describe, expect, it } from 'vitest';
import { updateContact } from '../runtime/contacts.js';
import { rescore, saveModel, type RescoreJob } from '../runtime/scoring.js';
import { DAY, HOUR, T0, mapDoc, setup, type Bench } from '../runtime/testing.js';
import { breakdown } from './routes.js';

let b: Bench | undefined;
afterEach(async () => {
  await b?.close();
  b = undefined;
});

const runRescore = async (bench: Bench, modelId: string) => {
  const job: RescoreJob = { id: 'job', modelId, status: 'running', processed: 0, total: 0 };
  await rescore(bench.rt, job);
  expect(job.status, job.error).toBe('done');
};

const FIT_FIELDS = [
  { key: 'employees', label: 'Employees', type: 'number' },
  { key: 'country', label: 'Country', type: 'text' },
];
const fit = (rules: object[]) => ({ id: 'fit', name: 'Fit', field: 'fit_score', fields: [{ key: 'fit_score', label: 'Fit score', type: 'number', decimals: 3 }, ...FIT_FIELDS], rules });
const SIZE = (points: number) => ({ id: 'size', label: '51–200 employees', when: { if: { all: [{ field: 'employees', op: 'gte', value: 51 }, { field: 'employees', op: 'lte', value: 200 }] } }, points });
const VP = { id: 'vp', label: 'VP', when: { if: { field: 'job_title', op: 'contains', value: 'vp' } }, points: 20 };
const TIER1 = { id: 'tier1', label: 'Tier-1 country', when: { if: { field: 'country', op: 'in', value: ['US', 'UK', 'DE'] } }, points: 10 };

describe('reconciliation on rescore (SPEC §9)', () => {
  it('makes points match the rules as they are now: a changed rule gives the difference, a deleted rule takes its points back', async () => {
    b = await setup();
    await saveModel(b.rt, fit([SIZE(10), VP, TIER1]), { create: true });
    await b.contact('vp', { job_title: 'VP Sales', employees: 60, country: 'US' });
    expect(await b.score('vp', 'fit_score')).toBe(40);
    await saveModel(b.rt, fit([SIZE(25), TIER1]), { id: 'fit' });
    await runRescore(b, 'fit');
    expect(await b.score('vp', 'fit_score')).toBe(35);
    await updateContact(b.rt, 'vp', { employees: 5000, country: 'FR' }, { api: true });
    expect(await b.score('vp', 'fit_score')).toBe(0);
    // Each adjustment is a history row naming its cause.
    const causes = (await b.changes('vp', 'fit_score')).map((c) => c[3]);
    expect(causes).toContainEqual({ scoringModel: 'fit', rule: 'vp', reason: 'rescore' });
    expect(causes).toContainEqual({ scoringModel: 'fit', rule: 'size', reason: 'rescore' });
    // A second rescore changes nothing.
    const before = (await b.history('vp')).length;
    await runRescore(b, 'fit');
    expect((await b.history('vp')).length).toBe(before);
  });

  it('takes back the points of a deleted event rule, what is left of them', async () => {
    b = await setup();
    const click = { id: 'click', label: 'Clicked', when: { event: 'email_link_clicked' }, points: 5 };
    const visit = { id: 'visit', label: 'Visited', when: { event: 'page_visited' }, points: 3 };
    await saveModel(b.rt, { id: 'm', name: 'M', field: 'score', rules: [click, visit] }, { create: true });
    await b.contact('ann');
    await b.event('ann', 'email_link_clicked');
    await b.event('ann', 'email_link_clicked');
    await b.event('ann', 'page_visited');
    expect(await b.score('ann')).toBe(13);
    await saveModel(b.rt, { id: 'm', name: 'M', field: 'score', rules: [visit] }, { id: 'm' });
    expect(await b.score('ann')).toBe(13); // changes apply from now on…
    await runRescore(b, 'm');
    expect(await b.score('ann')).toBe(3); // …and a rescore reconciles
    // An event rule that stops decaying keeps its points: the change applies from then on.
    await saveModel(b.rt, { id: 'm', name: 'M', field: 'score', rules: [{ ...visit, decays: false }] }, { id: 'm' });
    await runRescore(b, 'm');
    expect(await b.score('ann')).toBe(3);
  });
});

describe('degradation (SPEC §9)', () => {
  const engagement = (degradation: object, rules: object[] = []) => ({
    id: 'eng', name: 'Engagement', field: 'score', degradation,
    rules: [{ id: 'demo', label: 'Asked for a demo', when: { event: 'demo_requested' }, points: 80 }, ...rules],
  });

  it('5 % every 30 days of inactivity: 80 → 76 → 72.2 → 68.59 while inactive, unchanged while active', async () => {
    b = await setup();
    await saveModel(b.rt, engagement({ percent: 5, every: { days: 30 }, whenInactiveFor: { days: 30 } }), { create: true });
    await b.contact('ann');
    await b.contact('bob');
    await b.event('ann', 'demo_requested');
    await b.event('bob', 'demo_requested');
    const seen: number[] = [];
    for (let day = 1; day <= 91; day++) {
      // Bob visits a page every week: he never decays.
      if (day % 7 === 0) await b.event('bob', 'page_visited');
      await b.advance(T0 + day * DAY + HOUR);
      if (day === 29 || day === 30 || day === 60 || day === 90) seen.push(await b.score('ann') as number);
    }
    expect(seen).toEqual([80, 76, 72.2, 68.59]);
    expect(await b.score('bob')).toBe(80);
  });

  it('leaves fit points (decays: false) alone, and taking them back takes exactly them', async () => {
    b = await setup();
    const ceo = { id: 'ceo', label: 'CEO', when: { if: { field: 'job_title', op: 'contains', value: 'ceo' } }, points: 10, decays: false };
    await saveModel(b.rt, engagement({ percentPerDay: 10 }, [ceo, { id: 'click', label: 'Clicked', when: { event: 'email_link_clicked' }, points: 20 }]), { create: true });
    await b.contact('ann', { job_title: 'CEO' });
    await b.event('ann', 'email_link_clicked');
    expect(await b.score('ann')).toBe(30);
    await b.advance(T0 + DAY + HOUR);
    expect(await b.score('ann')).toBe(28); // 10 + 20 × 0.9
    await b.advance(T0 + 2 * DAY + HOUR);
    expect(await b.score('ann')).toBe(26.2); // 10 + 20 × 0.81
    await updateContact(b.rt, 'ann', { job_title: 'Advisor' }, { api: true });
    expect(await b.score('ann')).toBe(16.2); // the 10 fit points, not a decayed share of them
  });

  it('is the same on the set-based path and through the engine (a map listening to the score)', async () => {
    const run = async (listen: boolean) => {
      const bench = await setup();
      const ceo = { id: 'ceo', label: 'CEO', when: { if: { field: 'job_title', op: 'contains', value: 'ceo' } }, points: 10, decays: false };
      const brackets = [{ name: 'High', min: 70 }, { name: 'Low', min: 0 }];
      await saveModel(bench.rt, { ...engagement({ percent: 5, every: { days: 30 }, whenInactiveFor: { days: 30 } }, [ceo]), brackets }, { create: true });
      if (listen) {
        await bench.publish(mapDoc([
          { id: 't', kind: 'trigger', on: { type: 'field_updated', field: 'score' }, next: 'e' },
          { id: 'e', kind: 'end' },
        ]));
      }
      await bench.contact('ann', { job_title: 'CEO' });
      await bench.event('ann', 'demo_requested');
      await bench.contact('bob');
      await bench.event('bob', 'demo_requested');
      await bench.advance(T0 + 35 * DAY);
      const mid = [await bench.score('ann'), await bench.score('ann', 'score_bracket'), await bench.score('bob'), await bench.score('bob', 'score_bracket')];
      await bench.advance(T0 + 95 * DAY);
      const end = [await bench.score('ann'), await bench.score('ann', 'score_bracket'), await bench.score('bob'), await bench.score('bob', 'score_bracket')];
      const bracketChanges = (await bench.changes('bob', 'score_bracket')).map((c) => [c[1], c[2]]);
      await bench.close();
      return { mid, end, bracketChanges };
    };
    // 80 decaying points: 3 steps of 5 % by day 95, the 10 fit points untouched; bob (no fit
    // points) leaves High (80 → 76 → 72.2 → 68.59) on day 90, with a history row.
    const expected = {
      mid: [86, 'High', 76, 'High'],
      end: [10 + 68.59, 'High', 68.59, 'Low'],
      bracketChanges: [[null, 'Low'], ['Low', 'High'], ['High', 'Low']], // its first value is recorded, as every first value is
    };
    expect(await run(false)).toEqual(expected);
    expect(await run(true)).toEqual(expected);
  });
});

describe('degradation every N days', () => {
  it('counts its days from the day the model was made: made on a Saturday, every 7 days is each Saturday', async () => {
    b = await setup({ start: Date.parse('2026-01-03T10:00:00Z') }); // a Saturday
    await saveModel(b.rt, { id: 'm', name: 'M', field: 'score', degradation: { percent: 10, every: { days: 7 } }, rules: [{ id: 'buy', label: 'Bought', when: { event: 'purchase' }, points: 50 }] }, { create: true });
    await b.contact('ann');
    await b.event('ann', 'purchase');
    await b.advance('2026-01-09T23:00:00Z');
    expect(await b.score('ann')).toBe(50);
    await b.advance('2026-01-10T01:00:00Z');
    expect(await b.score('ann')).toBe(45);
    await b.advance('2026-01-16T23:00:00Z');
    expect(await b.score('ann')).toBe(45);
    await b.advance('2026-01-17T01:00:00Z');
    expect(await b.score('ann')).toBe(40.5);
  });
});

describe('rule options (SPEC §9)', () => {
  const model = (rules: object[], extra: object = {}) => ({ id: 'm', name: 'M', field: 'score', ...extra, rules });

  it('set: an unsubscribe sets the score to 0 and the ledger starts over', async () => {
    b = await setup();
    await saveModel(b.rt, model([
      { id: 'click', label: 'Clicked', when: { event: 'email_link_clicked' }, points: 5 },
      { id: 'ceo', label: 'CEO', when: { if: { field: 'job_title', op: 'contains', value: 'ceo' } }, points: 10 },
      { id: 'unsub', label: 'Unsubscribed', when: { event: 'email_unsubscribed' }, set: 0 },
    ]), { create: true });
    await b.contact('ann', { job_title: 'CEO' });
    await b.event('ann', 'email_link_clicked');
    expect(await b.score('ann')).toBe(15);
    await b.event('ann', 'email_unsubscribed');
    expect(await b.score('ann')).toBe(0);
    // The CEO rule still holds, with nothing left to take back.
    await updateContact(b.rt, 'ann', { job_title: 'Advisor' }, { api: true });
    expect(await b.score('ann')).toBe(0);
    await b.event('ann', 'email_link_clicked');
    expect((await breakdown(b.rt, 'ann')).models[0].text).toBe('5 = 5 Clicked');
  });

  it('maxTimes per window and repeatMultiplier', async () => {
    b = await setup();
    await saveModel(b.rt, model([
      { id: 'visit', label: 'Visited', when: { event: 'page_visited' }, points: 10, maxTimes: 2, per: { days: 1 } },
      { id: 'open', label: 'Opened', when: { event: 'email_opened' }, points: 4, repeatMultiplier: 0.5, per: { days: 7 } },
    ], { max: 1000 }), { create: true });
    await b.contact('ann');
    for (let i = 0; i < 5; i++) await b.event('ann', 'page_visited');
    expect(await b.score('ann')).toBe(20); // two a day
    await b.advance(T0 + DAY + HOUR);
    await b.event('ann', 'page_visited');
    expect(await b.score('ann')).toBe(30); // a new day's window
    await b.event('ann', 'email_opened');
    await b.event('ann', 'email_opened');
    await b.event('ann', 'email_opened');
    expect(await b.score('ann')).toBe(38); // 4 + 2 + 2
    await b.advance(T0 + 9 * DAY);
    await b.event('ann', 'email_opened');
    expect(await b.score('ann')).toBe(42); // a week later: full points again
  });

  it('expiresAfter: an expired click\'s points are gone on the day, what is left of them after decay', async () => {
    b = await setup();
    await saveModel(b.rt, model([
      { id: 'click', label: 'Clicked', when: { event: 'email_link_clicked' }, points: 10, expiresAfter: { days: 3 } },
      { id: 'buy', label: 'Bought', when: { event: 'purchase' }, points: 20 },
    ], { degradation: { percentPerDay: 10 } }), { create: true });
    await b.contact('ann');
    await b.advance(T0 + 12 * HOUR);
    await b.event('ann', 'email_link_clicked');
    await b.event('ann', 'purchase');
    expect(await b.score('ann')).toBe(30);
    await b.advance(T0 + 2 * DAY + 23 * HOUR);
    expect(await b.score('ann')).toBe(24.3); // 30 × 0.81
    await b.advance(T0 + 3 * DAY + HOUR);
    // Day 3 starts: the click's 10 × 0.81 = 8.1 go, then the rest degrades: 16.2 × 0.9.
    expect(await b.score('ann')).toBe(14.58);
    const causes = (await b.changes('ann', 'score')).map((c) => c[3]);
    expect(causes).toContainEqual({ scoringModel: 'm', rule: 'click', reason: 'expired' });
    expect((await breakdown(b.rt, 'ann')).models[0].lines.map((l) => l.label)).toEqual(['Bought', 'decay']);
  });

  it('weights a back-dated event by its age: decayed since, or nothing once expired', async () => {
    b = await setup({ start: T0 + 10 * DAY + HOUR });
    await saveModel(b.rt, model([
      { id: 'buy', label: 'Bought', when: { event: 'purchase' }, points: 20 },
      { id: 'click', label: 'Clicked', when: { event: 'email_link_clicked' }, points: 10, expiresAfter: { days: 5 } },
    ], { degradation: { percentPerDay: 10 } }), { create: true });
    await b.contact('ann');
    await b.event('ann', 'purchase', {}, { at: new Date(T0 + 7 * DAY + HOUR).toISOString() });
    expect(await b.score('ann')).toBe(14.58); // 20 × 0.9³: three midnights since
    await b.event('ann', 'email_link_clicked', {}, { at: new Date(T0 + 2 * DAY).toISOString() });
    expect(await b.score('ann')).toBe(14.58); // expired on day 7
  });
});

describe('meaningful activity and brackets (SPEC §9)', () => {
  it('a bounce does not move Last activity; the list is a setting', async () => {
    b = await setup();
    await saveModel(b.rt, { id: 'm', name: 'M', field: 'score', rules: [] }, { create: true });
    await b.contact('ann');
    await b.event('ann', 'email_opened');
    const opened = await b.score('ann', 'last_activity_at');
    await b.advance(T0 + HOUR);
    await b.event('ann', 'email_bounced');
    expect(await b.score('ann', 'last_activity_at')).toBe(opened);
    await b.event('ann', 'page_visited');
    expect(await b.score('ann', 'last_activity_at')).toBe(T0 + HOUR);
  });

  it('keeps <field>_bracket up to date, and "became High" is a trigger', async () => {
    b = await setup();
    await saveModel(b.rt, {
      id: 'm', name: 'M', field: 'score', rules: [{ id: 'demo', label: 'Demo', when: { event: 'demo_requested' }, points: 40 }],
      brackets: [{ name: 'High', min: 70 }, { name: 'Medium', min: 40 }, { name: 'Low', min: 0 }],
    }, { create: true });
    await b.contact('ann');
    expect(await b.score('ann', 'score_bracket')).toBe('Low');
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'field_updated', field: 'score_bracket', where: { field: 'score_bracket', op: 'eq', value: 'High' } }, next: 'tag' },
      { id: 'tag', kind: 'update_field', field: 'tags', addTags: ['hot'], next: 'e' },
      { id: 'e', kind: 'end' },
    ]));
    await b.event('ann', 'demo_requested');
    expect(await b.score('ann', 'score_bracket')).toBe('Medium');
    expect(await b.tags('ann')).toEqual([]);
    await b.event('ann', 'demo_requested');
    expect(await b.score('ann', 'score_bracket')).toBe('High');
    expect(await b.tags('ann')).toEqual(['hot']);
  });

  it('refuses a second model writing the same field (422)', async () => {
    b = await setup();
    await saveModel(b.rt, { id: 'a', name: 'A', field: 'score', rules: [] }, { create: true });
    await expect(saveModel(b.rt, { id: 'b', name: 'B', field: 'score', rules: [] }, { create: true })).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/already writes score/) });
  });
});

describe('the breakdown', () => {
  it('says where the score comes from: rules, a map, decay', async () => {
    b = await setup();
    await saveModel(b.rt, {
      id: 'm', name: 'M', field: 'score', degradation: { percentPerDay: 10 },
      rules: [
        { id: 'visit', label: 'Visited pricing', when: { event: 'page_visited' }, points: 5 },
        { id: 'ceo', label: 'CEO', when: { if: { field: 'job_title', op: 'contains', value: 'ceo' } }, points: 10, decays: false },
      ],
    }, { create: true });
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'form_submitted' }, next: 'add' },
      { id: 'add', kind: 'update_field', field: 'score', value: '[score] + 12', next: 'e' },
      { id: 'e', kind: 'end' },
    ], [], 'Adjusted'));
    await b.contact('ann', { job_title: 'CEO' });
    for (let i = 0; i < 4; i++) await b.event('ann', 'page_visited');
    await b.event('ann', 'form_submitted');
    await b.advance(T0 + DAY + HOUR);
    const m = (await breakdown(b.rt, 'ann')).models[0];
    expect(m.score).toBe(38.8); // 10 + (20 + 12) × 0.9
    expect(m.text).toBe("38.8 = 10 CEO + 20 Visited pricing (×4) + 12 map 'Adjusted' − 3.2 decay");
  });

  it('counts a score a contact is created with, and a score set by hand, as grants', async () => {
    b = await setup();
    await saveModel(b.rt, { id: 'm', name: 'M', field: 'score', rules: [{ id: 'click', label: 'Clicked', when: { event: 'email_link_clicked' }, points: 5 }] }, { create: true });
    await b.contact('ann', { score: 50 });
    await b.event('ann', 'email_link_clicked');
    expect((await breakdown(b.rt, 'ann')).models[0].text).toBe('55 = 50 given when the contact was created + 5 Clicked');
    await updateContact(b.rt, 'ann', { score: 70 }, { api: true });
    expect((await breakdown(b.rt, 'ann')).models[0].text).toBe('70 = 50 given when the contact was created + 5 Clicked + 15 changed by hand');
    await updateContact(b.rt, 'ann', { score: 0 }, { api: true });
    expect((await breakdown(b.rt, 'ann')).models[0].text).toBe('0 = no points yet');
  });
});
