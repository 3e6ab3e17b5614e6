/** Small helpers shared by the benchmarks: a scratch folder, a PostgreSQL schema, timing, sizes. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchemas } from '../server/store/testing.js';

/** 2026-01-01T00:00:00Z, where every benchmark's clock starts. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const DAY = 86_400_000;

/** A fresh scratch folder under the system's temp dir, and how to remove it. */
export function scratch(): { dir: string; file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'scoremap-bench-'));
  return { dir, file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `fn` with `url` pointed at a fresh schema of its PostgreSQL database (`?schema=`), dropped afterwards. */
export async function onFreshSchema<T>(url: string, fn: (url: string) => Promise<T>): Promise<T> {
  const schema = `scoremap_bench_${randomBytes(6).toString('hex')}`;
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  try {
    return await fn(u.toString());
  } finally {
    await dropSchemas(url, schema, (s) => s === schema);
  }
}

/** Milliseconds `fn` takes (monotonic clock). */
export async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

/** Bytes of a SQLite database with its WAL and shared-memory files. */
export function dbBytes(path: string): number {
  let n = 0;
  for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) n += statSync(f).size;
  return n;
}

/** A contact id that sorts in creation order. */
export const contactId = (i: number): string => `c${String(i).padStart(7, '0')}`;

/** Peak resident set size of this process so far, in MB. */
export const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;
