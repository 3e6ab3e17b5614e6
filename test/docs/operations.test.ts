import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main as cli } from '../../server/cli.js';
import { Store } from '../../server/store/store.js';
import { parseMarkdown, read, ROOT } from './markdown.js';

const PAGE = 'docs/operations/backup.md';

/** The shell block of the page marked `<!-- check: name -->`. */
function block(name: string): string {
  const found = parseMarkdown(read(PAGE)).blocks.filter((b) => b.marker === `check: ${name}`);
  expect(found.length, `${PAGE} has no \`\`\`sh block marked <!-- check: ${name} -->`).toBe(1);
  return found[0].text;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('docs/operations/backup.md', () => {
  it('its backup and restore commands, run as written, bring back the database as it was at the backup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scoremap-backup-'));
    dirs.push(dir);
    const db = join(dir, 'data', 'scoremap.db');
    const quiet = () => {};
    expect(await cli(['import', 'custom-lead-score', '--publish', '--db', db], quiet, quiet)).toBe(0);

    // Back up, then change the live database: the restore must bring back the state of the backup.
    const sh = (script: string) => execFileSync('sh', ['-e', '-c', script], {
      cwd: dir, env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') }, encoding: 'utf8',
    });
    const backupScript = block('backup');
    sh(backupScript);
    expect(await cli(['import', 'score-cap', '--db', db], quiet, quiet)).toBe(0);
    const backups = readdirSync(join(dir, 'backups'));
    expect(backups).toHaveLength(1);

    sh(`BACKUP=backups/${backups[0]}\n${block('restore')}`);
    expect(existsSync(join(dir, 'data', 'before-restore', 'scoremap.db'))).toBe(true);
    expect(statSync(db).mode & 0o777).toBe(0o600);

    const store = await Store.open(db);
    try {
      const maps = await store.listMaps();
      expect(maps.map((m) => m.name)).toEqual(['Custom Lead Score']);
      expect(maps[0].status).toBe('published');
    } finally {
      await store.close();
    }
  }, 120_000);
});
