/** The trigger types, their words, and the settings a new type starts with — all read from the schema. */
import type { z } from 'zod';
import { TriggerElement, TriggerOn, type TriggerType } from '../../../../engine/elements/trigger.js';
import { KNOWN_EVENTS } from '../../../../engine/schema/event.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';

/** The trigger types in the schema's order, and how each reads in the picker. */
export const TRIGGER_TYPES: readonly TriggerType[] = TriggerOn.options.map((o) => o.shape.type.value);
export const TRIGGER_WORDS: Readonly<Record<TriggerType, string>> = {
  event: 'An event happens',
  field_updated: 'A field changes',
  contact_created: 'A contact is created',
  tag_added: 'A tag is added',
  tag_removed: 'A tag is removed',
  date_reached: 'A date is reached',
  schedule: 'On a schedule',
  manual: 'Added by hand',
};
export const IF_ON_MAP = TriggerElement.shape.ifOnMap.unwrap().options;
export const IF_ON_MAP_WORDS: Readonly<Record<(typeof IF_ON_MAP)[number], string>> = {
  ignore: 'Stay where they are',
  move_here: 'Start again here',
};

export type On = z.infer<typeof TriggerOn>;
/** The zod schema of one trigger type: its settings and their limits. */
export const shapeOf = (type: TriggerType) => TriggerOn.options.find((o) => o.shape.type.value === type)!.shape;
export const takesWhere = (type: TriggerType) => 'where' in shapeOf(type);
/** The schema of one setting of a trigger type (`cron`, `tag`), to check a draft before it is kept. */
export const settingSchema = (type: TriggerType, key: string) => (shapeOf(type) as Readonly<Record<string, z.ZodType>>)[key];

/**
 * The settings a new trigger type starts with, keeping the `where` condition when the new type has one;
 * null when the type needs something typed first (a tag) — the form waits for it before switching.
 */
export function defaultOn(type: TriggerType, fields: FieldRegistry, from: On): On | null {
  const where = 'where' in from && from.where && takesWhere(type) ? { where: from.where } : {};
  const firstOf = (t: string, fallback: string) =>
    fields.all().find((f) => !f.builtin && f.type === t)?.key ?? fields.all().find((f) => f.type === t)?.key ?? fallback;
  switch (type) {
    case 'event': return { type, event: Object.keys(KNOWN_EVENTS)[0], ...where };
    case 'field_updated': return { type, field: firstOf('number', 'score'), ...where };
    case 'contact_created': return { type, ...where };
    case 'date_reached': return { type, field: firstOf('date', 'last_activity_at'), ...where };
    case 'schedule': return { type, cron: '0 9 * * *', ...where };
    case 'manual': return { type };
    case 'tag_added':
    case 'tag_removed':
      return 'tag' in from ? { type, tag: from.tag } : null;
  }
}

/** How a known event reads in the picker: "Email link clicked". */
export const eventWords = (name: string) => name.charAt(0).toUpperCase() + name.slice(1).replace(/[_.]/g, ' ');
