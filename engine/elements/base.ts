import { z } from 'zod';

/** Element ids: stable strings, unique within a map; connections use ids, never labels. */
export const ElementId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'an element id is 1 to 64 letters, digits, "_" or "-"');

/** What every element has besides its kind's settings. */
export const elementBase = {
  id: ElementId,
  label: z.string().max(200).optional(),
  note: z.string().max(5_000).optional(),
  position: z.strictObject({ x: z.number(), y: z.number() }).optional(),
};

/** A reference to another element; optional so a draft can be saved half-drawn. */
export const Ref = ElementId.optional();
