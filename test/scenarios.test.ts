import { readdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectScenarioPasses } from './cli-run.js';

const dir = fileURLToPath(new URL('./scenarios/', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const scenarios = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();


describe('scenario files run through `scoremap simulate`', () => {
  it('has the scenarios the engine promises', () => {
    expect(scenarios).toEqual(expect.arrayContaining(['cap-at-100.json', 'decay-loop-move-here.json', 'inactivity-reset.json']));
  });

  for (const file of scenarios) {
    it(`${file}: every expectation passes`, async () => {
      await expectScenarioPasses(`${dir}${file}`);
    });
  }

  it('the installed command exits 1 when an expectation fails, and prints what failed', async () => {
    const scenario = `${dir}decay-loop-move-here.json`;
    const run = promisify(execFile);
    const ok = await run(process.execPath, ['bin/scoremap.js', 'simulate', scenario], { cwd: root });
    expect(ok.stdout).toMatch(/10 passed, 0 failed/);

    const { writeFileSync, readFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const broken = JSON.parse(readFileSync(scenario, 'utf8'));
    broken.expect[2].equals = 14; // the real value on day 1 is 13
    const file = `${mkdtempSync(`${tmpdir()}/scoremap-`)}/broken.json`;
    writeFileSync(file, JSON.stringify(broken));
    const failed = await run(process.execPath, ['bin/scoremap.js', 'simulate', file], { cwd: root }).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/FAIL {2}ann custom_lead_score at 2026-01-02T10:10:00Z: expected 14, got 13/);
  });
});
