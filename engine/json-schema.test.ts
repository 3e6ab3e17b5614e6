import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapJsonSchema, mapJsonSchemaText } from './json-schema.js';

describe('maps/map.schema.json', () => {
  it('is what `npm run schema` generates from the zod schema (run it after changing the schema)', () => {
    const committed = readFileSync(new URL('../maps/map.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(mapJsonSchemaText());
  });

  it('describes every element kind', () => {
    const text = JSON.stringify(mapJsonSchema());
    for (const kind of ['trigger', 'update_field', 'wait', 'condition', 'goto', 'end', 'webhook', 'assign_owner']) expect(text).toContain(`"const":"${kind}"`);
  });
});
