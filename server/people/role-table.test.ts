import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setup } from '../routes/testing.js';
import { TABLE_END, TABLE_START, roleTable, withRoleTable } from './role-table.js';

describe('docs/people.md: the route × role table', () => {
  it('is the one the registered operations make (run `npx tsx scripts/docs-people.ts` when this fails)', async () => {
    const { ops } = await setup();
    const doc = readFileSync(new URL('../../docs/people.md', import.meta.url), 'utf8');
    const table = roleTable(ops);
    expect(withRoleTable(doc, table), 'the roles table of docs/people.md is stale: run `npx tsx scripts/docs-people.ts`').toBe(doc);
    // One row per operation, a mark per role.
    expect(table.split('\n')).toHaveLength(ops.length + 2);
    expect(table).toContain('| `GET /api/people` | List the people and their roles | — | — | — | ✓ |');
    expect(table).toContain('| `POST /api/session` | Sign in with an email and a password | anyone | anyone | anyone | anyone |');
    expect(table).toMatch(/\| `GET \/api\/maps` \| [^|]+ \| ✓ \| ✓ \| ✓ \| ✓ \|/);
  });

  it('replaces only what is between its markers, and says so when they are gone', () => {
    const doc = `# Title\n\n${TABLE_START}\nold\n${TABLE_END}\n\nAfter.\n`;
    expect(withRoleTable(doc, 'new')).toBe(`# Title\n\n${TABLE_START}\nnew\n${TABLE_END}\n\nAfter.\n`);
    expect(() => withRoleTable('# nothing', 'x')).toThrow(/lost the markers/);
  });
});
