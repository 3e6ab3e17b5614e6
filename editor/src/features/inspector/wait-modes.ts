/** The ways a wait holds a contact, read from the schema's `until` union, and switching between them. */
import type { z } from 'zod';
import { WaitElement } from '../../../../engine/elements/wait.js';
import type { WaitElement as Wait } from '../../../../engine/elements/index.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';
import type { WeekdayName } from '../../../../engine/time.js';
import { newTest } from './condition-tree.js';

export type Until = NonNullable<Wait['until']>;
/** The `until` forms of the schema, each named by the key only it has (`field`, `time`, `condition`). */
const untilOptions = WaitElement.shape.until.unwrap().options as readonly { shape: Readonly<Record<string, z.ZodType>> }[];
export const UNTIL_KINDS = untilOptions.map((o) => Object.keys(o.shape)[0]) as ('field' | 'time' | 'condition')[];
export type Mode = 'for' | (typeof UNTIL_KINDS)[number];
export const MODES: readonly Mode[] = ['for', ...UNTIL_KINDS];
export const MODE_WORDS: Readonly<Record<Mode, string>> = {
  for: 'For a duration',
  field: 'Until a date field',
  time: 'Until a time of day',
  condition: 'Until a condition holds',
};
/** What a time of day must look like (HH:MM), as the schema says. */
export const TIME_SCHEMA = untilOptions.find((o) => 'time' in o.shape)!.shape.time;
export const DAY_WORDS: Readonly<Record<WeekdayName, string>> = { sun: 'Sun', mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat' };

/** Which way a wait holds the contact. */
export function waitMode(el: Wait): Mode {
  if (el.for || !el.until) return 'for';
  return UNTIL_KINDS.find((k) => k in el.until!) ?? 'for';
}

/** The patch that switches a wait to another mode with settings that work, dropping the old mode's. */
export function switchMode(mode: Mode, fields: FieldRegistry): Partial<Wait> {
  const clear = { for: undefined, until: undefined, timeout: undefined, timeoutNext: undefined };
  const date = fields.all().find((f) => f.type === 'date' && !f.builtin)?.key ?? 'last_activity_at';
  switch (mode) {
    case 'for': return { ...clear, for: { days: 1 } };
    case 'field': return { ...clear, until: { field: date } };
    case 'time': return { ...clear, until: { time: '09:00' } };
    case 'condition': return { ...clear, until: { condition: newTest(fields) } };
  }
}

