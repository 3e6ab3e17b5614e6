// `npx tsx scripts/docs-people.ts`: writes the route × role table of docs/people.md from the
// operations the server registers. `server/people/role-table.test.ts` fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ManualClock } from '../engine/clock.js';
import { createApp } from '../server/http/app.js';
import type { RegisteredOp } from '../server/http/router.js';
import { roleTable, withRoleTable } from '../server/people/role-table.js';
import { Runtime } from '../server/runtime/runtime.js';
import { Store } from '../server/store/store.js';
import { Outbox } from '../server/webhooks/outbox.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The page, from the root. */
export const PEOPLE_DOC = 'docs/people.md';

/** The operations a server registers (on a throwaway in-memory database). */
export async function registeredOps(): Promise<RegisteredOp[]> {
  const store = await Store.open(':memory:');
  try {
    const rt = await Runtime.create({ store, clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')), hooks: [new Outbox()] });
    return createApp({ rt, token: 'docs', templatesDir: join(ROOT, 'maps'), logError: () => {} }).ops;
  } finally {
    await store.close();
  }
}

async function write(): Promise<void> {
  const file = join(ROOT, PEOPLE_DOC);
  writeFileSync(file, withRoleTable(readFileSync(file, 'utf8'), roleTable(await registeredOps())));
  process.stdout.write(`Wrote the roles table of ${PEOPLE_DOC}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await write();
