import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContactPosition } from './store.js';
import { Store } from './store.js';
import { openTestStore } from './testing.js';

let store: Store;
beforeEach(async () => {
  store = await openTestStore();
});
afterEach(async () => {
  await store.close();
});

const at = (mapId: string, contactId: string, elementId: string, dueAt: number | null, more: Partial<ContactPosition> = {}): ContactPosition => ({
  mapId,
  contactId,
  elementId,
  version: 1,
  enteredAt: 0,
  dueAt,
  timeoutAt: null,
  onCondition: false,
  stuck: false,
  ...more,
});

describe('positions', () => {
  it('keeps one place per contact and map, and lists due ones by due time then contact', async () => {
    await store.upsertPositions([
      at('m', 'b', 'wait', 30),
      at('m', 'a', 'wait', 30),
      at('m', 'c', 'wait', 10),
      at('m', 'd', 'cond', null, { onCondition: true, timeoutAt: 99, stuck: true }),
      at('other', 'a', 'wait', 5),
      at('m', 'e', 'wait', 100),
      at('m', 'e', 'wait', 20), // the later row for the same place wins
    ]);
    expect(await store.duePositions('m', 30, 10)).toEqual([at('m', 'c', 'wait', 10), at('m', 'e', 'wait', 20), at('m', 'a', 'wait', 30), at('m', 'b', 'wait', 30)]);
    expect((await store.duePositions('m', 30, 2)).map((p) => p.contactId)).toEqual(['c', 'e']);
    expect(await store.dueContacts('m', 30, 3)).toEqual([{ contactId: 'c', dueAt: 10 }, { contactId: 'e', dueAt: 20 }, { contactId: 'a', dueAt: 30 }]);
    expect(await store.nextDuePosition(['m'])).toBe(10);
    expect(await store.nextDuePosition(['m', 'other'])).toBe(5);
    expect(await store.nextDuePosition([])).toBeNull();
    expect(await store.nextDuePosition(['empty'])).toBeNull();
    expect(await store.positionsByElement('m')).toEqual({ wait: 4, cond: 1 });
    expect((await store.loadContacts(['d'])).size).toBe(0); // positions do not make a contact

    await store.insertContacts([{ id: 'd', fields: {}, tags: [], createdAt: 0 }]);
    expect((await store.loadContacts(['d'])).get('d')?.positions.get('m')).toEqual({
      mapId: 'm',
      contactId: 'd',
      elementId: 'cond',
      version: 1,
      enteredAt: 0,
      dueAt: null,
      timeoutAt: 99,
      onCondition: true,
      stuck: true,
    });

    await store.deletePositions([
      { mapId: 'm', contactId: 'c' },
      { mapId: 'other', contactId: 'a' },
    ]);
    expect(await store.nextDuePosition(['m', 'other'])).toBe(20);
  });

  it('relocates, re-versions and lists contacts at elements on publish', async () => {
    await store.upsertPositions([at('m', 'a', 'old', 5), at('m', 'b', 'old', 6), at('m', 'c', 'stay', 7), at('x', 'a', 'old', 8)]);
    expect(await store.positionsAt('m', ['old', 'missing'])).toEqual([
      { contactId: 'a', elementId: 'old' },
      { contactId: 'b', elementId: 'old' },
    ]);
    expect(await store.movePositions('m', 'old', 'new', 2)).toBe(2);
    await store.setVersionForMap('m', 3);
    expect(await store.positionsByElement('m')).toEqual({ new: 2, stay: 1 });
    expect((await store.duePositions('m', 100, 10)).map((p) => [p.contactId, p.elementId, p.version])).toEqual([
      ['a', 'new', 3],
      ['b', 'new', 3],
      ['c', 'stay', 3],
    ]);
    expect(await store.positionsByElement('x')).toEqual({ old: 1 });
  });

  it('makes condition waits due now on resume, keeping overdue ones first', async () => {
    await store.upsertPositions([
      at('m', 'a', 'cond', null, { onCondition: true }),
      at('m', 'b', 'cond', 500, { onCondition: true }),
      at('m', 'c', 'cond', 50, { onCondition: true }),
      at('m', 'd', 'wait', 700),
    ]);
    await store.recheckConditionsNow('m', 100);
    expect((await store.duePositions('m', 1000, 10)).map((p) => [p.contactId, p.dueAt])).toEqual([
      ['c', 50],
      ['a', 100],
      ['b', 100],
      ['d', 700],
    ]);
  });
});

describe('date timers', () => {
  const DAY = 86_400_000;

  it('arms, lists due ones in order, marks them fired and deletes them', async () => {
    await store.upsertDateTimers([
      { mapId: 'm', elementId: 'd', contactId: 'b', armedValue: 0, dueAt: 20 },
      { mapId: 'm', elementId: 'd', contactId: 'a', armedValue: 0, dueAt: 20 },
      { mapId: 'm', elementId: 'e', contactId: 'a', armedValue: 0, dueAt: 10 },
      { mapId: 'n', elementId: 'd', contactId: 'a', armedValue: 0, dueAt: 5 },
    ]);
    expect((await store.dueDateTimers('m', 20, 10)).map((t) => `${t.elementId}/${t.contactId}@${t.dueAt}`)).toEqual(['e/a@10', 'd/a@20', 'd/b@20']);
    expect(await store.nextDueDateTimer(['m'])).toBe(10);
    expect(await store.nextDueDateTimer(['m', 'n'])).toBe(5);
    expect(await store.nextDueDateTimer([])).toBeNull();

    await store.upsertDateTimers([{ mapId: 'm', elementId: 'e', contactId: 'a', armedValue: 0, dueAt: null }]);
    await store.deleteDateTimers([{ mapId: 'm', elementId: 'd', contactId: 'b' }]);
    expect((await store.dueDateTimers('m', 1e12, 10)).map((t) => `${t.elementId}/${t.contactId}`)).toEqual(['d/a']);
    await store.deleteDateTimersExcept('m', ['e']);
    expect(await store.dueDateTimers('m', 1e12, 10)).toEqual([]);
    await store.deleteDateTimersExcept('n', []);
    expect(await store.nextDueDateTimer(['m', 'n'])).toBeNull();
  });

  it('armDateTimers arms every contact with a value; fired stays fired for the same value; a new value re-arms; a new offset moves pending ones', async () => {
    const t0 = Date.UTC(2026, 0, 1);
    await store.insertContacts([
      { id: 'quiet', fields: { last_activity_at: t0 }, tags: [], createdAt: t0 },
      { id: 'active', fields: { last_activity_at: t0 + 5 * DAY }, tags: [], createdAt: t0 },
      { id: 'never', fields: {}, tags: [], createdAt: t0 },
    ]);
    await store.armDateTimers('m', 'reset', 'last_activity_at', 30 * DAY);
    expect(await store.dueDateTimers('m', Number.MAX_SAFE_INTEGER, 10)).toEqual([
      { mapId: 'm', elementId: 'reset', contactId: 'quiet', armedValue: t0, dueAt: t0 + 30 * DAY },
      { mapId: 'm', elementId: 'reset', contactId: 'active', armedValue: t0 + 5 * DAY, dueAt: t0 + 35 * DAY },
    ]);

    // 'quiet' fires: the engine marks it fired for its value.
    await store.upsertDateTimers([{ mapId: 'm', elementId: 'reset', contactId: 'quiet', armedValue: t0, dueAt: null }]);
    // Publishing again with the same offset: the fired one stays fired.
    await store.armDateTimers('m', 'reset', 'last_activity_at', 30 * DAY);
    expect((await store.dueDateTimers('m', Number.MAX_SAFE_INTEGER, 10)).map((t) => t.contactId)).toEqual(['active']);

    // A new offset moves the pending one, not the fired one.
    await store.armDateTimers('m', 'reset', 'last_activity_at', 10 * DAY);
    expect(await store.dueDateTimers('m', Number.MAX_SAFE_INTEGER, 10)).toEqual([
      { mapId: 'm', elementId: 'reset', contactId: 'active', armedValue: t0 + 5 * DAY, dueAt: t0 + 15 * DAY },
    ]);

    // New activity for 'quiet': a new value re-arms it.
    await store.writeContacts([{ id: 'quiet', values: { last_activity_at: t0 + 40 * DAY } }], t0 + 40 * DAY);
    await store.armDateTimers('m', 'reset', 'last_activity_at', 10 * DAY);
    expect((await store.dueDateTimers('m', Number.MAX_SAFE_INTEGER, 10)).map((t) => [t.contactId, t.armedValue, t.dueAt])).toEqual([
      ['active', t0 + 5 * DAY, t0 + 15 * DAY],
      ['quiet', t0 + 40 * DAY, t0 + 50 * DAY],
    ]);
    expect(await store.nextDueDateTimer(['m'])).toBe(t0 + 15 * DAY);
  });

  it('armDateTimers refuses a field that does not exist', async () => {
    await expect(store.armDateTimers('m', 'd', 'renewal_on', 0)).rejects.toThrow("'renewal_on' is not a known field");
  });
});

describe('schedules', () => {
  it('upserts next ticks, lists them earliest first and deletes the ones of removed triggers', async () => {
    await store.upsertSchedules([
      { mapId: 'm', elementId: 'daily', nextAt: 300 },
      { mapId: 'm', elementId: 'hourly', nextAt: 100 },
      { mapId: 'n', elementId: 'daily', nextAt: 200 },
    ]);
    await store.upsertSchedules([{ mapId: 'm', elementId: 'hourly', nextAt: 150 }]);
    expect(await store.getSchedules()).toEqual([
      { mapId: 'm', elementId: 'hourly', nextAt: 150 },
      { mapId: 'n', elementId: 'daily', nextAt: 200 },
      { mapId: 'm', elementId: 'daily', nextAt: 300 },
    ]);
    await store.deleteSchedulesExcept('m', ['daily']);
    expect(await store.getSchedules('m')).toEqual([{ mapId: 'm', elementId: 'daily', nextAt: 300 }]);
    await store.deleteSchedulesExcept('m', []);
    expect(await store.getSchedules('m')).toEqual([]);
    expect(await store.getSchedules('n')).toHaveLength(1);
  });
});
