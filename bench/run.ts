/**
 * `npm run bench` (full: 1M contacts) or `npm run bench -- --quick` (100k, under a minute): every
 * figure beside a baseline measured in the same run, written to bench/results.json and printed.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { decayTick, type DecayTickResult } from './decay-tick.js';
import { degradation, type DegradationResult } from './degradation.js';
import { intake, type IntakeResult } from './intake.js';
import { checkSetup } from './check-setup.js';

/** How big each part runs. */
export interface BenchPlan {
  readonly name: string;
  /** Decay-tick sizes; the last is N. */
  readonly scaling: readonly number[];
  readonly events: number;
  readonly singleSeconds: number;
  /** Contacts for the setup check against the real engine. */
  readonly checkN: number;
}

export const PLANS = {
  full: { name: 'full', scaling: [10_000, 100_000, 1_000_000], events: 200_000, singleSeconds: 5, checkN: 2_000 },
  quick: { name: 'quick', scaling: [10_000, 100_000], events: 50_000, singleSeconds: 2, checkN: 1_000 },
} satisfies Record<string, BenchPlan>;

export interface BenchResults {
  readonly plan: string;
  readonly machine: { cpus: number; node: string; platform: string };
  readonly setupMatchesEngine: boolean;
  readonly decay: DecayTickResult[];
  readonly intake: IntakeResult;
  readonly degradation: DegradationResult;
  readonly memory: { n: number; peakRssMb: number; dbBytesPerContact: number };
}

/** Runs every figure under a plan; `log` hears progress. */
export async function runBench(plan: BenchPlan, log: (line: string) => void = () => {}): Promise<BenchResults> {
  log(`setup check (${plan.checkN} contacts, set-based vs engine)…`);
  const setupMatchesEngine = await checkSetup(plan.checkN);
  if (!setupMatchesEngine) throw new Error('the set-based setup differs from what the engine writes: fix bench/park.ts');
  const decay: DecayTickResult[] = [];
  for (const n of plan.scaling) {
    log(`decay tick at ${n.toLocaleString('en')}…`);
    decay.push(await decayTick(n));
  }
  const big = decay[decay.length - 1];
  log(`event intake (${plan.events.toLocaleString('en')} events)…`);
  const intakeResult = await intake(plan.events, plan.singleSeconds);
  log(`degradation and sorting at ${big.n.toLocaleString('en')}…`);
  const deg = await degradation(big.n);
  return {
    plan: plan.name,
    machine: { cpus: cpus().length, node: process.version, platform: process.platform },
    setupMatchesEngine,
    decay,
    intake: intakeResult,
    degradation: deg,
    memory: { n: big.n, peakRssMb: big.peakRssMb, dbBytesPerContact: big.dbBytesPerContact },
  };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const fmt = (x: number, digits = 0) => x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The results as a plain-text table. */
export function table(r: BenchResults): string {
  const big = r.decay[r.decay.length - 1];
  const rows: string[][] = [
    ['Figure', 'Scoremap', 'Baseline', 'Ratio', 'Target', 'Its SQL alone', 'SQL share'],
    [`Decay tick, ${fmt(big.n)} contacts (steps/s)`, fmt(big.engine), fmt(big.baseline), fmt(big.ratio, 2), '≥ 0.50', fmt(big.sqlOnly), pct(big.sqlShare)],
    [`Event intake, batches of 1,000 (events/s)`, fmt(r.intake.engine), fmt(r.intake.baseline), fmt(r.intake.ratio, 3), '≥ 20,000/s', fmt(r.intake.sqlOnly), pct(r.intake.sqlShare)],
    [`Single-event requests (req/s)`, fmt(r.intake.singleRequests), '', '', '', '', ''],
    [`Degradation, ${fmt(r.degradation.n)} scores (rows/s)`, fmt(r.degradation.engine), fmt(r.degradation.baseline), fmt(r.degradation.ratio, 2), '', '', ''],
    [`Peak RSS, ${fmt(r.memory.n)} waiting (MB)`, fmt(r.memory.peakRssMb), '', '', r.memory.n >= 1_000_000 ? '< 500' : '(< 500 at 1M)', '', ''],
    [`Database size per contact (bytes)`, fmt(r.memory.dbBytesPerContact), '', '', '', '', ''],
    [`Contacts by score, first page (ms)`, `${fmt(r.degradation.sortFirstMs, 1)} first, ${fmt(r.degradation.sortMedianMs, 1)} median`, '', '', '', '', ''],
  ];
  const scaling: string[][] = [['Decay tick at', 'Scoremap steps/s', 'Baseline steps/s', 'Ratio', 'Engine s', 'Its SQL alone', 'SQL share']];
  for (const d of r.decay) scaling.push([fmt(d.n), fmt(d.engine), fmt(d.baseline), fmt(d.ratio, 2), fmt(d.engineMs / 1000, 2), fmt(d.sqlOnly), pct(d.sqlShare)]);
  const render = (t: string[][]) => {
    const w = t[0].map((_, c) => Math.max(...t.map((row) => row[c].length)));
    return t.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ').trimEnd()).join('\n');
  };
  const note = 'Its SQL alone: the statements Scoremap issued, replayed on a copy of the database (SQLite time only). SQL share: that time over Scoremap\'s.';
  return `${render(rows)}\n\n${render(scaling)}\n\n${note}\n${r.plan} run, ${r.machine.cpus} cores, Node ${r.machine.node}; set-based setup matches the engine: ${r.setupMatchesEngine ? 'yes' : 'NO'}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const plan = process.argv.includes('--quick') ? PLANS.quick : PLANS.full;
  const started = Date.now();
  const results = await runBench(plan, (line) => console.error(line));
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log(table(results));
  console.error(`(${((Date.now() - started) / 1000).toFixed(1)} s; bench/results.json written)`);
}
