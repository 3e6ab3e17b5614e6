import { z } from 'zod';
import { Cron } from 'croner';
import { elementBase, Ref } from './base.js';
import { defineKind } from './types.js';
import { Condition } from '../schema/condition.js';
import { Duration, describeDuration } from '../schema/duration.js';
import { EventType } from '../schema/event.js';
import { describeCondition } from '../conditions.js';
import { isValidTimeZone, wallTime, zonedInstant } from '../time.js';

/** What opens the door: one of the trigger types of SPEC §2. */
export const TriggerOn = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('event'), event: EventType, where: Condition.optional() }),
  z.strictObject({ type: z.literal('field_updated'), field: z.string().min(1).max(200), where: Condition.optional() }),
  z.strictObject({ type: z.literal('contact_created'), where: Condition.optional() }),
  z.strictObject({ type: z.literal('tag_added'), tag: z.string().trim().min(1).max(100) }),
  z.strictObject({ type: z.literal('tag_removed'), tag: z.string().trim().min(1).max(100) }),
  z.strictObject({
    type: z.literal('date_reached'),
    field: z.string().min(1).max(200),
    offset: Duration.optional(),
    where: Condition.optional(),
  }),
  z.strictObject({
    type: z.literal('schedule'),
    cron: z.string().min(1).max(100),
    timezone: z.string().max(64).optional(),
    where: Condition.optional(),
  }),
  z.strictObject({ type: z.literal('manual') }),
]);
export type TriggerOn = z.infer<typeof TriggerOn>;
export type TriggerType = TriggerOn['type'];

export const TriggerElement = z.strictObject({
  ...elementBase,
  kind: z.literal('trigger'),
  on: TriggerOn,
  /** What happens when the contact is already on the map: stay put (default) or move here. */
  ifOnMap: z.enum(['ignore', 'move_here']).optional(),
  next: Ref,
});
export type TriggerElement = z.infer<typeof TriggerElement>;

const humanize = (s: string) => s.replace(/[_.]/g, ' ');

/** Parsed patterns by cron text: parsing costs ten times a look-up. */
const patterns = new Map<string, Cron>();

/** Croner, in UTC, as a calendar: the wall times a pattern names, with no gaps or repeats. */
function pattern(cron: string): Cron {
  let c = patterns.get(cron);
  if (!c) {
    if (patterns.size >= 1_000) patterns.clear();
    c = new Cron(cron, { paused: true, utcOffset: 0 });
    patterns.set(cron, c);
  }
  return c;
}

/**
 * The first tick of a schedule strictly after `after`, or null when it never ticks again. Without
 * a timezone it ticks in UTC, as `until` times do: the server's own zone must not change results.
 *
 * A tick is a wall-clock time the pattern names, placed as waits place theirs (`zonedInstant`):
 * - on the day clocks go forward, a tick the jump skips runs right after it (New York, "30 2 * * *"
 *   on 2026-03-08 runs at 03:00 EDT), and the ticks of a skipped stretch run once, together;
 * - on the day they go back, a time the clock shows twice runs once, the first time: "0 1,13 * * *"
 *   runs at 01:00 EDT only, and "0,30 * * * *" does not tick while the clock repeats an hour.
 * Croner's own zone handling differs: it skips or doubles such ticks unless the pattern names a
 * single time, and drops a tick whose gap ends on the next day (Nuuk, 23:30 on 2026-03-28).
 */
export function nextTick(on: { readonly cron: string; readonly timezone?: string }, after: number): number | null {
  const timeZone = on.timezone ?? 'UTC';
  const cron = pattern(on.cron);
  // Wall times up to the clock's reading at `after` have come already.
  let wall = wallTime(after, timeZone);
  for (;;) {
    const next = cron.nextRun(new Date(wall))?.getTime();
    if (next === undefined) return null;
    const at = zonedInstant(next, timeZone);
    if (at > after) return at;
    // `after` is in an hour the clock repeats, and this time came in its first pass.
    wall = next;
  }
}

export const trigger = defineKind<TriggerElement>({
  kind: 'trigger',
  schema: TriggerElement,
  outlets: (el) => [{ path: 'next', target: el.next, instant: true, required: true }],
  describe(el, fields) {
    const on = el.on;
    const where = 'where' in on && on.where ? ` if ${describeCondition(on.where, fields)}` : '';
    const name = (ref: string) => fields.resolve(ref)?.label ?? ref;
    switch (on.type) {
      case 'event': return `When ${humanize(on.event)}${where}`;
      case 'field_updated': return `When ${name(on.field)} changes${where}`;
      case 'contact_created': return `When a contact is created${where}`;
      case 'tag_added': return `When tag "${on.tag}" is added`;
      case 'tag_removed': return `When tag "${on.tag}" is removed`;
      case 'date_reached':
        return `${on.offset ? `${describeDuration(on.offset)} after` : 'On'} ${name(on.field)}${where}`;
      case 'schedule': return `On schedule ${on.cron}${on.timezone ? ` (${on.timezone})` : ''}${where}`;
      case 'manual': return 'Added by hand or through the API';
    }
  },
  check(el, ctx) {
    const on = el.on;
    switch (on.type) {
      case 'event':
        if (on.where) ctx.condition(on.where, 'on.where', { allowProps: true });
        break;
      case 'field_updated':
        ctx.field(on.field, 'on.field', undefined, 'watch for changes');
        if (on.where) ctx.condition(on.where, 'on.where', { allowCrossing: true });
        break;
      case 'contact_created':
        if (on.where) ctx.condition(on.where, 'on.where');
        break;
      case 'date_reached':
        ctx.field(on.field, 'on.field', ['date'], 'wait for a date');
        if (on.where) ctx.condition(on.where, 'on.where');
        break;
      case 'schedule':
        if (on.timezone && !isValidTimeZone(on.timezone)) {
          ctx.problem('on.timezone', `"${on.timezone}" is not a time zone this server knows (try "UTC" or "Europe/Paris")`);
        }
        try {
          pattern(on.cron);
        } catch (e) {
          ctx.problem('on.cron', `The schedule "${on.cron}" is not a valid cron expression: ${(e as Error).message}`);
        }
        if (on.where) ctx.condition(on.where, 'on.where');
        break;
      case 'tag_added':
      case 'tag_removed':
      case 'manual':
        break;
    }
  },
  // A trigger only opens the door; the contact goes straight on.
  run: (el) => (el.next ? { go: el.next } : { error: "'What happens next?' is empty" }),
});
