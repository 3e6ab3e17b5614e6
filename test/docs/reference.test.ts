import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DIR, REGENERATE, ROOT, referencePages } from '../../scripts/docs-reference.js';

/** The first line where two texts differ, for the message. */
function firstDifference(want: string, have: string): string {
  const a = want.split('\n');
  const b = have.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: committed ${JSON.stringify(b[i] ?? '(end)')}, generated ${JSON.stringify(a[i] ?? '(end)')}`;
  }
  return '';
}

describe('the generated reference (docs/reference/)', () => {
  it('matches what scripts/docs-reference.ts makes from the code today', async () => {
    const pages = await referencePages();
    const stale: string[] = [];
    for (const [path, text] of pages) {
      const file = join(ROOT, path);
      if (!existsSync(file)) stale.push(`${path} is missing`);
      else {
        const committed = readFileSync(file, 'utf8');
        if (committed !== text) stale.push(`${path} is stale (${firstDifference(text, committed)})`);
      }
    }
    for (const name of readdirSync(join(ROOT, REFERENCE_DIR))) {
      const path = `${REFERENCE_DIR}/${name}`;
      if (!pages.has(path)) stale.push(`${path} is not generated: delete it, or add it to scripts/docs-reference.ts`);
    }
    expect(stale, `The reference no longer matches the code. Run \`${REGENERATE}\` and commit docs/reference/:\n${stale.join('\n')}`).toEqual([]);
  }, 120_000);
});
