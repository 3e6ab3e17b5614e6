// `npm run schema` (or `scoremap schema`): writes maps/map.schema.json from the zod schema.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mapJsonSchemaText } from '../engine/json-schema.js';

const target = fileURLToPath(new URL('../maps/map.schema.json', import.meta.url));
writeFileSync(target, mapJsonSchemaText());
console.log(`wrote ${target}`);
