import { afterEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, T0, mapDoc, numberField, setup, type Bench } from './testing.js';

let b: Bench;
afterEach(async () => {
  await b?.close();
});

const trigger = (id: string, event: string, next: string, extra: object = {}) =>
  ({ id, kind: 'trigger', on: { type: 'event', event }, next, ...extra });

describe('update_field', () => {
  it('rounds a number half away from zero to the field\'s decimals: 2.5 → 3, −2.5 → −3, 1.005 → 1.01, 1/3 → 0.33', async () => {
    b = await setup();
    await b.publish(mapDoc([
      trigger('t1', 'up', 'u1'),
      trigger('t2', 'down', 'u2'),
      trigger('t3', 'fine', 'u3'),
      { id: 'u1', kind: 'update_field', field: 'whole', value: '2.5', next: 'e' },
      { id: 'u2', kind: 'update_field', field: 'whole', value: '0 - 2.5', next: 'e' },
      { id: 'u3', kind: 'update_field', field: 'cents', value: '1.005', next: 'u4' },
      { id: 'u4', kind: 'update_field', field: 'third', value: '1 / 3', next: 'e' },
      { id: 'e', kind: 'end' },
    ], [numberField('whole', 0), numberField('cents', 2), numberField('third', 2)]));
    await b.contact('ann');
    await b.event('ann', 'up');
    expect(await b.score('ann', 'whole')).toBe(3);
    await b.event('ann', 'down');
    expect(await b.score('ann', 'whole')).toBe(-3);
    await b.event('ann', 'fine');
    expect(await b.score('ann', 'cents')).toBe(1.01);
    expect(await b.score('ann', 'third')).toBe(0.33);
  });

  it('a number field without decimals keeps whole numbers: 7.49 → 7', async () => {
    b = await setup();
    await b.publish(mapDoc([
      trigger('t', 'go', 'u'),
      { id: 'u', kind: 'update_field', field: 'plain', value: '7.49', next: 'e' },
      { id: 'e', kind: 'end' },
    ], [{ key: 'plain', label: 'Plain', type: 'number' }]));
    await b.contact('ann');
    await b.event('ann', 'go');
    expect(await b.score('ann', 'plain')).toBe(7);
  });

  it('writes text fields from quoted text and from other fields, and date fields from now()', async () => {
    b = await setup();
    await b.advance(T0 + 5 * HOUR);
    await b.publish(mapDoc([
      trigger('t', 'go', 'stage'),
      { id: 'stage', kind: 'update_field', field: 'lifecycle_stage', value: '"Marketing qualified"', next: 'copy' },
      { id: 'copy', kind: 'update_field', field: 'Note', value: '[Job title]', next: 'seen' },
      { id: 'seen', kind: 'update_field', field: 'last_seen', value: 'now()', next: 'e' },
      { id: 'e', kind: 'end' },
    ], [{ key: 'note', label: 'Note', type: 'text' }, { key: 'last_seen', label: 'Last seen', type: 'date' }]));
    await b.contact('ann', { job_title: 'CEO' });
    await b.advance(T0 + 6 * HOUR);
    await b.event('ann', 'go');
    expect(await b.score('ann', 'lifecycle_stage')).toBe('Marketing qualified');
    expect(await b.score('ann', 'note')).toBe('CEO');
    expect(await b.score('ann', 'last_seen')).toBe(T0 + 6 * HOUR);
    const cause = { map: 'map-1', version: 1 };
    expect(await b.changes('ann', 'last_seen')).toEqual([['2026-01-01T06:00:00.000Z', null, T0 + 6 * HOUR, { ...cause, element: 'seen' }]]);
    expect(await b.changes('ann', 'lifecycle_stage')).toEqual([['2026-01-01T06:00:00.000Z', null, 'Marketing qualified', { ...cause, element: 'stage' }]]);
  });

  it('adds and removes tags through field "tags", firing tag_added and tag_removed triggers of every map', async () => {
    b = await setup();
    await b.publish(mapDoc([
      trigger('t1', 'buy', 'add'),
      trigger('t2', 'churn', 'remove'),
      { id: 'add', kind: 'update_field', field: 'tags', addTags: ['customer', 'vip'], next: 'e' },
      { id: 'remove', kind: 'update_field', field: 'tags', removeTags: ['customer'], next: 'e' },
      { id: 'e', kind: 'end' },
    ]));
    await b.publish(mapDoc([
      { id: 'added', kind: 'trigger', on: { type: 'tag_added', tag: 'customer' }, next: 'won' },
      { id: 'removed', kind: 'trigger', on: { type: 'tag_removed', tag: 'customer' }, next: 'lost' },
      { id: 'won', kind: 'update_field', field: 'wins', value: '[wins] + 1', next: 'e' },
      { id: 'lost', kind: 'update_field', field: 'losses', value: '[losses] + 1', next: 'e' },
      { id: 'e', kind: 'end' },
    ], [numberField('wins'), numberField('losses')]));
    await b.contact('ann');
    await b.event('ann', 'buy');
    expect(await b.tags('ann')).toEqual(['customer', 'vip']);
    expect(await b.score('ann', 'wins')).toBe(1);
    await b.event('ann', 'buy'); // already tagged: no change, no trigger
    expect(await b.score('ann', 'wins')).toBe(1);
    await b.event('ann', 'churn');
    expect(await b.tags('ann')).toEqual(['vip']);
    expect(await b.score('ann', 'losses')).toBe(1);
    expect((await b.changes('ann', 'tags')).map(([, from, to]) => [from, to])).toEqual([
      [[], ['customer', 'vip']],
      [['customer', 'vip'], ['vip']],
    ]);
  });

  it('removes a tag whatever its case, as has_tag and the tag triggers read tags', async () => {
    b = await setup();
    await b.publish(mapDoc([
      trigger('t', 'churn', 'remove'),
      { id: 'remove', kind: 'update_field', field: 'tags', removeTags: ['Customer'], next: 'e' },
      { id: 'removed', kind: 'trigger', on: { type: 'tag_removed', tag: 'CUSTOMER' }, next: 'count' },
      { id: 'count', kind: 'update_field', field: 'losses', value: '[losses] + 1', next: 'e' },
      { id: 'e', kind: 'end' },
    ], [numberField('losses')]));
    await b.contact('ann', { tags: ['customer'] });
    await b.event('ann', 'churn');
    expect(await b.tags('ann')).toEqual([]);
    expect(await b.score('ann', 'losses')).toBe(1);
  });

  it('an expression that cannot fit the field stops the contact there and counts an error on the element', async () => {
    b = await setup();
    await b.publish(mapDoc([
      trigger('t', 'go', 'div'),
      { id: 'div', kind: 'update_field', field: 'ratio', value: '10 / [company_size]', next: 'e' },
      { id: 'e', kind: 'end' },
    ], [numberField('ratio', 2)]));
    await b.contact('ann'); // company size empty: reads as 0
    await b.event('ann', 'go');
    expect(await b.score('ann', 'ratio')).toBe(null);
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'div', stuck: true, dueAt: null });
    const stats = await b.stats('map-1');
    expect(stats.div).toMatchObject({ hereNow: 1, wereHere: 1, errors: 1 });
    expect(stats.div.lastError).toBe('Division by zero at character 4');
  });

  it("an element's last error keeps its own time when other contacts pass the element later in the same batch", async () => {
    b = await setup();
    await b.publish(mapDoc([
      trigger('t', 'go', 'w'),
      { id: 'w', kind: 'wait', for: { hours: 1 }, next: 'div' },
      { id: 'div', kind: 'update_field', field: 'ratio', value: '10 / [company_size]', next: 'e' },
      { id: 'e', kind: 'end' },
    ], [numberField('ratio', 2)]));
    await b.contact('ann'); // company size empty: reads as 0, so 10 / 0 fails at T0 + 1 h
    await b.contact('bob', { company_size: 5 });
    await b.event('ann', 'go');
    await b.advance(T0 + 30 * 60_000);
    await b.event('bob', 'go'); // passes at T0 + 1 h 30 min, in the same batch of due work
    await b.advance(T0 + 2 * HOUR);
    expect(await b.score('bob', 'ratio')).toBe(2);
    const stats = await b.stats('map-1');
    expect(stats.div).toMatchObject({ wereHere: 2, errors: 1, lastError: 'Division by zero at character 4' });
    expect(stats.div.lastErrorAt).toBe(T0 + HOUR);
  });
});

describe('condition, goto and end', () => {
  it('a condition sends the contact to "then" when it holds and to "else" when it does not', async () => {
    b = await setup();
    await b.publish(mapDoc([
      trigger('t', 'go', 'big'),
      { id: 'big', kind: 'condition', if: { field: 'company_size', op: 'gte', value: 100 }, then: 'enterprise', else: 'smb' },
      { id: 'enterprise', kind: 'update_field', field: 'lifecycle_stage', value: '"enterprise"', next: 'e' },
      { id: 'smb', kind: 'update_field', field: 'lifecycle_stage', value: '"smb"', next: 'e' },
      { id: 'e', kind: 'end' },
    ]));
    await b.contact('big', { company_size: 100 });
    await b.contact('small', { company_size: 99 });
    await b.event('big', 'go');
    await b.event('small', 'go');
    expect(await b.score('big', 'lifecycle_stage')).toBe('enterprise');
    expect(await b.score('small', 'lifecycle_stage')).toBe('smb');
    const stats = await b.stats('map-1');
    expect([stats.big.wereHere, stats.enterprise.wereHere, stats.smb.wereHere, stats.e.wereHere]).toEqual([2, 1, 1, 2]);
  });

  it('a condition may test the triggering event\'s props', async () => {
    b = await setup();
    await b.publish(mapDoc([
      trigger('t', 'purchase', 'large'),
      { id: 'large', kind: 'condition', if: { prop: 'amount', op: 'gt', value: 500 }, then: 'vip', else: 'e' },
      { id: 'vip', kind: 'update_field', field: 'tags', addTags: ['big spender'], next: 'e' },
      { id: 'e', kind: 'end' },
    ]));
    await b.contact('ann');
    await b.contact('bob');
    await b.event('ann', 'purchase', { amount: 900 });
    await b.event('bob', 'purchase', { amount: 20 });
    expect(await b.tags('ann')).toEqual(['big spender']);
    expect(await b.tags('bob')).toEqual([]);
  });

  it('goto jumps to its target at once: a daily loop runs once a day', async () => {
    b = await setup();
    await b.publish(mapDoc([
      trigger('t', 'go', 'add'),
      { id: 'add', kind: 'update_field', field: 'ticks', value: '[ticks] + 1', next: 'wait' },
      { id: 'wait', kind: 'wait', for: { days: 1 }, next: 'again' },
      { id: 'again', kind: 'goto', target: 'add' },
    ], [numberField('ticks')]));
    await b.contact('ann');
    await b.event('ann', 'go');
    await b.advance(T0 + 3 * DAY + HOUR);
    expect(await b.score('ann', 'ticks')).toBe(4);
    expect((await b.changes('ann', 'ticks')).map(([when]) => when)).toEqual([
      '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z', '2026-01-04T00:00:00.000Z',
    ]);
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'wait', dueAt: T0 + 4 * DAY });
  });

  it('end takes the contact off the map; a later trigger brings it in again as new', async () => {
    b = await setup();
    await b.publish(mapDoc([
      trigger('t', 'go', 'add'), // ifOnMap: ignore (default)
      { id: 'add', kind: 'update_field', field: 'visits', value: '[visits] + 1', next: 'e' },
      { id: 'e', kind: 'end' },
    ], [numberField('visits')]));
    await b.contact('ann');
    await b.event('ann', 'go');
    expect(await b.position('map-1', 'ann')).toBeUndefined();
    await b.event('ann', 'go');
    expect(await b.score('ann', 'visits')).toBe(2);
    expect((await b.stats('map-1')).e).toMatchObject({ hereNow: 0, wereHere: 2, errors: 0 });
  });
});
