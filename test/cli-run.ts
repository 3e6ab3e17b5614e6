import { expect } from 'vitest';
import { main } from '../server/cli.js';

/** Runs the CLI in-process and collects what it prints. */
export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, (s) => (stdout += s), (s) => (stderr += s));
  return { code, stdout, stderr };
}

/** Simulates a scenario file through `scoremap simulate --json` and asserts every expectation passed, with no errors. */
export async function expectScenarioPasses(file: string): Promise<void> {
  const { code, stdout, stderr } = await cli(['simulate', file, '--json']);
  expect(stderr).toBe('');
  const result = JSON.parse(stdout);
  expect(result.expectations.length).toBeGreaterThan(0);
  expect(result.expectations.filter((x: { pass: boolean }) => !x.pass)).toEqual([]);
  expect(result.errors).toEqual([]);
  expect(code).toBe(0);
}
