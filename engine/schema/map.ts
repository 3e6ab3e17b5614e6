import { z } from 'zod';
import { Element } from '../elements/index.js';
import { FieldDefinition } from './field.js';

/** A map document (SPEC §2): what the editor draws, the API stores and the engine runs. */
export const MapDocument = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().trim().min(1, 'a map needs a name').max(200),
  description: z.string().max(5_000).optional(),
  fields: z.array(FieldDefinition).max(200).optional(),
  elements: z.array(Element).max(2_000),
});
export type MapDocument = z.infer<typeof MapDocument>;

/** The lifecycle of a map. */
export const MapStatus = z.enum(['draft', 'published', 'paused']);
export type MapStatus = z.infer<typeof MapStatus>;
