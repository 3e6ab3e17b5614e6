import { z } from 'zod';
import { MapDocument } from './schema/map.js';

/** The JSON Schema of a map file, generated from the zod schema (SPEC §2): one source of truth. */
export function mapJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(MapDocument, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
    title: 'Scoremap map',
  };
}

/** The file text of `maps/map.schema.json`. */
export function mapJsonSchemaText(): string {
  return `${JSON.stringify(mapJsonSchema(), null, 2)}\n`;
}
