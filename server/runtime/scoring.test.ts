import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import { Store } from '../store/store.js';
import { Runtime } from './runtime.js';
import { rescore, saveModel, type RescoreJob } from './scoring.js';
import { DAY, HOUR, T0, mapDoc, numberField, setup, type Bench } from './testing.js';

let b: Bench | undefined;
afterEach(async () => {
  await b?.close();
  b = undefined;
});

const model = (over: Record<string, unknown> = {}) => ({
  id: 'main', name: 'Main score', field: 'score', rules: [
    { id: 'click', label: 'Clicked a link', when: { event: 'email_link_clicked' }, points: 5 },
    { id: 'pricing', label: 'Visited pricing', when: { event: 'page_visited', where: { prop: 'url', op: 'contains', value: '/pricing' } }, points: 10 },
    { id: 'ceo', label: 'CEO', when: { if: { field: 'job_title', op: 'contains', value: 'ceo' } }, points: 10 },
    { id: 'unsub', label: 'Unsubscribed', when: { event: 'email_unsubscribed' }, points: -30 },
  ],
  ...over,
});

describe('a new model on a field that already holds values', () => {
  it('is created, and opens its ledger with each value as a decaying grant (before, the create answered 500: no clock yet)', async () => {
    b = await setup({ fields: [numberField('points')] });
    await b.contact('ann', { points: 20 });
    await b.contact('bob');
    await saveModel(b.rt, model({ field: 'points', degradation: { percentPerDay: 50 } }), { create: true });
    const grants = await b.store.db.selectFrom('score_grants').select(['contact_id', 'points', 'decays', 'clock']).where('model_id', '=', 'main').execute();
    expect(grants.map((g) => ({ ...g, points: Number(g.points), decays: Number(g.decays), clock: Number(g.clock) }))).toEqual([{ contact_id: 'ann', points: 20, decays: 1, clock: 0 }]);
    // The opening grant decays with the score: halved at the next midnight.
    await b.advance(T0 + DAY + HOUR);
    expect(await b.score('ann', 'points')).toBe(10);
  });
});

describe('event rules', () => {
  it('add points at each occurrence, with and without `where`, recorded with the model and rule', async () => {
    b = await setup();
    await saveModel(b.rt, model(), { create: true });
    await b.contact('ann');
    await b.event('ann', 'email_link_clicked');
    await b.event('ann', 'email_link_clicked');
    await b.event('ann', 'page_visited', { url: '/blog' });
    expect(await b.score('ann')).toBe(10);
    await b.event('ann', 'page_visited', { url: 'https://x.com/PRICING' });
    expect(await b.score('ann')).toBe(20);
    expect((await b.changes('ann', 'score')).map((c) => c[3])).toEqual([
      { scoringModel: 'main', rule: 'click' }, { scoringModel: 'main', rule: 'click' }, { scoringModel: 'main', rule: 'pricing' },
    ]);
  });

  it('keep the score within min and max', async () => {
    b = await setup();
    await saveModel(b.rt, model({ min: 0, max: 12 }), { create: true });
    await b.contact('ann');
    for (let i = 0; i < 4; i++) await b.event('ann', 'email_link_clicked');
    expect(await b.score('ann')).toBe(12);
    await b.event('ann', 'email_unsubscribed');
    expect(await b.score('ann')).toBe(0);
  });
});

describe('condition rules', () => {
  it('give points when the condition becomes true and take them back when it becomes false', async () => {
    b = await setup();
    await saveModel(b.rt, model(), { create: true });
    await b.contact('ann', { job_title: 'CEO' });
    expect(await b.score('ann')).toBe(10);
    await b.contact('bob', { job_title: 'Engineer' });
    expect(await b.score('bob')).toBe(null);
    const { updateContact } = await import('./contacts.js');
    await updateContact(b.rt, 'bob', { job_title: 'Co-founder & CEO' }, { api: true });
    expect(await b.score('bob')).toBe(10);
    await updateContact(b.rt, 'bob', { job_title: 'Co-founder & CEO (retired)' }, { api: true }); // still holds: no change
    expect(await b.score('bob')).toBe(10);
    await updateContact(b.rt, 'ann', { job_title: 'Advisor' }, { api: true });
    expect(await b.score('ann')).toBe(0);
    expect((await b.changes('ann', 'score')).map((c) => [c[1], c[2], c[3]])).toEqual([
      [null, 10, { scoringModel: 'main', rule: 'ceo' }], [10, 0, { scoringModel: 'main', rule: 'ceo' }],
    ]);
  });

  it('take back what they gave, not more, when the bound cut the gift, even after a restart', async () => {
    const dir = mkdtempSync(`${tmpdir()}/scoremap-rules-`);
    const clock = new ManualClock(T0);
    let store = await Store.open(`${dir}/db.sqlite`);
    let rt = await Runtime.create({ store, clock });
    await saveModel(rt, model(), { create: true });
    const { createContacts, updateContact } = await import('./contacts.js');
    await createContacts(rt, [{ id: 'ann', fields: { score: 95 } }], { api: true });
    await updateContact(rt, 'ann', { job_title: 'CEO' }, { api: true });
    const score = async () => (await rt.store.loadContacts(['ann'])).get('ann')?.fields.score;
    expect(await score()).toBe(100); // +10 kept within 0–100: 5 given
    await store.close();
    store = await Store.open(`${dir}/db.sqlite`);
    rt = await Runtime.create({ store, clock });
    await updateContact(rt, 'ann', { job_title: 'Advisor' }, { api: true });
    expect(await score()).toBe(95); // the 5 given are taken back, not the rule's 10
    await store.close();
  });

  it('apply from then on; rescore makes them retroactive, with progress, and is idempotent', async () => {
    b = await setup();
    await b.contact('ann', { job_title: 'CEO' });
    await b.contact('bob', { job_title: 'CTO' });
    await saveModel(b.rt, model(), { create: true });
    expect(await b.score('ann')).toBe(null);
    const job: RescoreJob = { id: 'j', modelId: 'main', status: 'running', processed: 0, total: 0 };
    await rescore(b.rt, job);
    expect(job).toMatchObject({ status: 'done', processed: 2, total: 2 });
    expect(await b.score('ann')).toBe(10);
    expect(await b.score('bob')).toBe(null);
    await rescore(b.rt, { ...job, processed: 0 });
    expect(await b.score('ann')).toBe(10);
  });

  it('that compare a date with the clock are re-checked when their moment comes', async () => {
    b = await setup({ fields: [{ key: 'subscribed_since', label: 'Subscribed since', type: 'date' }] });
    await saveModel(b.rt, model({ rules: [{ id: 'loyal', label: 'Subscribed 90 days', when: { if: { field: 'subscribed_since', op: 'on_or_before_days_ago', value: 90 } }, points: 10 }] }), { create: true });
    await b.contact('ann', { subscribed_since: '2026-01-01T06:00:00Z' });
    await b.advance(T0 + 90 * DAY + 5 * HOUR);
    expect(await b.score('ann')).toBe(null);
    await b.advance(T0 + 90 * DAY + 6 * HOUR);
    expect(await b.score('ann')).toBe(10);
    expect((await b.changes('ann', 'score'))[0][0]).toBe('2026-04-01T06:00:00.000Z');
  });
});

describe('degradation', () => {
  it('takes 3 % a day at midnight in the model\'s zone: 24 → 24 × 0.97^10 after 10 days', async () => {
    b = await setup();
    await saveModel(b.rt, model({ degradation: { percentPerDay: 3 } }), { create: true });
    await b.contact('ann');
    for (let i = 0; i < 4; i++) await b.event('ann', 'email_link_clicked');
    await b.event('ann', 'page_visited', { url: '/x' }); // no points
    await b.contact('zed'); // no score: untouched
    expect(await b.score('ann')).toBe(20);
    await saveModel(b.rt, model({ degradation: { percentPerDay: 3 }, rules: [{ id: 'c', label: 'c', when: { event: 'demo_requested' }, points: 4 }] }), { id: 'main' });
    await b.event('ann', 'demo_requested');
    expect(await b.score('ann')).toBe(24);
    await b.advance(T0 + 10 * DAY + HOUR);
    expect(Math.abs((await b.score('ann')) as number - 24 * 0.97 ** 10)).toBeLessThan(0.01);
    const decays = (await b.changes('ann', 'score')).filter((c) => 'decay' in c[3]);
    expect(decays).toHaveLength(10);
    expect(decays[0].slice(0, 3)).toEqual(['2026-01-02T00:00:00.000Z', 24, 23.28]);
    expect(await b.score('zed')).toBe(null);
  });

  it('in a zone: midnight in New York', async () => {
    b = await setup();
    await saveModel(b.rt, model({ degradation: { percentPerDay: 10 }, timezone: 'America/New_York' }), { create: true });
    await b.contact('ann');
    await b.event('ann', 'email_link_clicked');
    await b.advance(T0 + 2 * DAY);
    expect((await b.changes('ann', 'score')).filter((c) => 'decay' in c[3]).map((c) => c[0])).toEqual(['2026-01-01T05:00:00.000Z', '2026-01-02T05:00:00.000Z']);
  });

  it('in a zone whose clocks go back at 03:00: midnight in Sydney on 2026-04-05 is 00:00 AEDT, then 00:00 AEST', async () => {
    b = await setup({ start: Date.parse('2026-04-04T06:00:00Z') });
    await saveModel(b.rt, model({ degradation: { percentPerDay: 10 }, timezone: 'Australia/Sydney' }), { create: true });
    await b.contact('ann');
    await b.event('ann', 'email_link_clicked');
    await b.advance(Date.parse('2026-04-06T06:00:00Z'));
    expect((await b.changes('ann', 'score')).filter((c) => 'decay' in c[3]).map((c) => c[0])).toEqual(['2026-04-04T13:00:00.000Z', '2026-04-05T14:00:00.000Z']);
  });

  it('goes through the engine when a map listens to the score, and the map reacts', async () => {
    b = await setup();
    await saveModel(b.rt, model({ degradation: { percentPerDay: 50 } }), { create: true });
    await b.publish(mapDoc([
      { id: 'low', kind: 'trigger', on: { type: 'field_updated', field: 'score', where: { field: 'score', op: 'crossed_below', value: 5 } }, next: 'tag' },
      { id: 'tag', kind: 'update_field', field: 'tags', addTags: ['cold'], next: 'end' },
      { id: 'end', kind: 'end' },
    ]));
    await b.contact('ann');
    for (let i = 0; i < 3; i++) await b.event('ann', 'email_link_clicked'); // 15
    await b.advance(T0 + DAY); // 7.5
    expect(await b.tags('ann')).toEqual([]);
    await b.advance(T0 + 2 * DAY); // 3.75
    expect(await b.tags('ann')).toEqual(['cold']);
    expect(await b.score('ann')).toBe(3.75);
  });

  it('is applied exactly once per day, across a restart', async () => {
    const dir = mkdtempSync(`${tmpdir()}/scoremap-decay-`);
    const path = `${dir}/db.sqlite`;
    b = await setup({ path });
    await saveModel(b.rt, model({ degradation: { percentPerDay: 10 } }), { create: true });
    await b.contact('ann');
    for (let i = 0; i < 2; i++) await b.event('ann', 'email_link_clicked'); // 10
    await b.advance(T0 + DAY + HOUR); // one decay: 9
    expect(await b.score('ann')).toBe(9);
    await b.close();
    b = undefined;

    // Restart, with the schedule pointing back at a day already done: the run record stops a
    // second application. Twice on day 2, then once on day 3 after its midnight ran.
    const restart = async (now: number, pretendDue: number, advanceTo?: number) => {
      const store = await Store.open(path);
      const clock = new ManualClock(now);
      const rt = await Runtime.create({ store, clock });
      await store.setNextDecay('main', pretendDue);
      await rt.reload();
      await rt.runDue();
      if (advanceTo) await rt.advance(advanceTo, clock);
      const score = (await store.loadContacts(['ann'])).get('ann')!.fields.score;
      await store.close();
      return score;
    };
    expect(await restart(T0 + DAY + 2 * HOUR, T0 + DAY)).toBe(9);
    expect(await restart(T0 + DAY + 3 * HOUR, T0 + DAY)).toBe(9);
    expect(await restart(T0 + DAY + 4 * HOUR, T0 + DAY, T0 + 2 * DAY + HOUR)).toBe(8.1);
    expect(await restart(T0 + 2 * DAY + 2 * HOUR, T0 + 2 * DAY)).toBe(8.1);
  });

  it('resumes a day interrupted halfway without decaying anyone twice', async () => {
    b = await setup();
    await saveModel(b.rt, model({ degradation: { percentPerDay: 50 } }), { create: true });
    // A listener forces the batched engine path.
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'field_updated', field: 'score' }, next: 'e' }, { id: 'e', kind: 'end' },
    ]));
    for (const id of ['a', 'b', 'c']) {
      await b.contact(id);
      await b.event(id, 'email_link_clicked'); // 5 each
    }
    // The run of day 2 got as far as contact "a" before the process died.
    await b.store.saveDecayRun('main', '2026-01-02', 'a', false, T0 + DAY);
    await b.store.transaction((s) => s.writeContacts([{ id: 'a', values: { score: 2.5 } }], T0 + DAY));
    await b.advance(T0 + DAY + HOUR);
    expect([await b.score('a'), await b.score('b'), await b.score('c')]).toEqual([2.5, 2.5, 2.5]);
  });
});

describe('several models', () => {
  it('run side by side, each writing its own field', async () => {
    b = await setup();
    await saveModel(b.rt, model(), { create: true });
    await saveModel(b.rt, {
      id: 'engagement', name: 'Engagement', field: 'engagement_score',
      fields: [{ key: 'engagement_score', label: 'Engagement score', type: 'number', decimals: 3 }],
      rules: [{ id: 'open', label: 'Opened', when: { event: 'email_opened' }, points: 1 }, { id: 'click', label: 'Clicked', when: { event: 'email_link_clicked' }, points: 3 }],
    }, { create: true });
    await b.contact('ann');
    await b.event('ann', 'email_opened');
    await b.event('ann', 'email_link_clicked');
    expect(await b.score('ann', 'score')).toBe(5);
    expect(await b.score('ann', 'engagement_score')).toBe(4);
  });

  it('refuse a model that writes a text field or an unknown one', async () => {
    b = await setup();
    await expect(saveModel(b.rt, model({ field: 'job_title' }), { create: true })).rejects.toMatchObject({ status: 422, message: /needs a number field/ });
    await expect(saveModel(b.rt, model({ field: 'nope' }), { create: true })).rejects.toMatchObject({ status: 422, message: /not a field/ });
    await expect(saveModel(b.rt, model({ rules: [{ id: 'x', label: 'Self', when: { if: { field: 'score', op: 'gt', value: 5 } }, points: 1 }] }), { create: true }))
      .rejects.toMatchObject({ status: 422, message: /cannot read the score it writes/ });
  });
});

describe('maps react to the score', () => {
  it('a field_updated trigger on score fires when a rule changes it', async () => {
    b = await setup();
    await saveModel(b.rt, model(), { create: true });
    await b.publish(mapDoc([
      { id: 'hot', kind: 'trigger', on: { type: 'field_updated', field: 'Score', where: { field: 'score', op: 'crossed_above', value: 10 } }, next: 'stage' },
      { id: 'stage', kind: 'update_field', field: 'lifecycle_stage', value: '"MQL"', next: 'end' },
      { id: 'end', kind: 'end' },
    ], [numberField('unused')]));
    await b.contact('ann');
    await b.event('ann', 'email_link_clicked');
    expect(await b.score('ann', 'lifecycle_stage')).toBe(null);
    await b.event('ann', 'email_link_clicked');
    expect(await b.score('ann', 'lifecycle_stage')).toBe('MQL');
  });
});

describe('changing a model\'s zone', () => {
  it('moves the next degradation to the new zone\'s midnight', async () => {
    b = await setup();
    await saveModel(b.rt, model({ degradation: { percentPerDay: 10 } }), { create: true });
    expect(b.rt.decayDue.get('main')).toBe(T0 + DAY);
    await saveModel(b.rt, model({ degradation: { percentPerDay: 10 }, timezone: 'America/New_York' }), { id: 'main' });
    expect(b.rt.decayDue.get('main')).toBe(T0 + 5 * HOUR);
  });
});
