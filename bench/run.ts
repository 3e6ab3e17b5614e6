/**
 * `npm run bench` (full: 1M contacts) or `npm run bench -- --quick` (100k): every figure beside a
 * baseline measured in the same run, written to bench/results.json and printed. The decay tick on
 * PostgreSQL with several workers runs when a server answers (SCOREMAP_BENCH_DATABASE_URL, else
 * the one `scripts/test-postgres.sh` starts) and adds about a minute.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { redactUrl } from '../server/store/postgres.js';
import { decayTick, type DecayTickResult } from './decay-tick.js';
import { decayWorkers, postgresUnavailable, type DecayWorkersResult } from './decay-workers.js';
import { degradation, type DegradationResult } from './degradation.js';
import { intake, intakeOnPostgres, type IntakeResult, type PostgresIntakeResult } from './intake.js';
import { concurrent, type ConcurrentPlan, type ConcurrentResult } from './concurrent.js';
import { checkSetup } from './check-setup.js';
import { tickLatency, type TickLatencyResult } from './tick-latency.js';
import { segmentIntake, type SegmentResult } from './segment.js';
import { webhooks, type WebhooksResult } from './webhooks.js';
import { reports as reportsBench, reportsTable, type ReportsResult } from './reports.js';
import { backtestBench, type BacktestBenchResult } from './backtest.js';

/** How big each part runs. */
export interface BenchPlan {
  readonly name: string;
  /** Decay-tick sizes; the last is N. */
  readonly scaling: readonly number[];
  readonly events: number;
  readonly singleSeconds: number;
  /** The intake figure's batches on PostgreSQL: `events` events (PostgreSQL is slower: fewer than on SQLite). Absent: not run. */
  readonly postgresIntake?: { readonly events: number };
  /** Seconds of requests on the idle server before the tick-latency figure's tick. */
  readonly idleSeconds: number;
  /** Contacts for the setup check against the real engine. */
  readonly checkN: number;
  /** The decay tick on PostgreSQL: `n` contacts, each count of worker processes in turn. Absent: not run. */
  readonly workers?: { readonly n: number; readonly counts: readonly number[] };
  /** Webhooks out: deliveries over as many contacts, deliveries of one contact, events of the intake workload with and without subscriptions. */
  readonly webhooks: { readonly deliveries: number; readonly oneContact: number; readonly events: number };
  /** Data in through Segment's door: the intake workload's `events` through /v1/batch beside /api/events; `visitors` anonymous visitors merged by an identify (0: not run). */
  readonly segment: { readonly events: number; readonly visitors: number };
  /** Single-event requests from many clients at once, with and without group commit. */
  readonly concurrent: ConcurrentPlan;
  /** The reports of SPEC §11 over `contacts` contacts with 10 history rows each. Absent: not run. */
  readonly reports?: { readonly contacts: number };
  /** A backtest of a changed model over `days` of stored events of `contacts` contacts. Absent: not run. */
  readonly backtest?: { readonly contacts: number; readonly days: number };
}

/** Where `scripts/test-postgres.sh` starts its throwaway server. */
const LOCAL_TEST_POSTGRES = 'postgres://scoremap@127.0.0.1:54329/scoremap_test';

// The PostgreSQL tick runs at 100,000 in both plans: three worker counts take about a minute there on 2
// cores, and some ten times that at 1M.
const WORKERS = { n: 100_000, counts: [1, 2, 3] };

export const PLANS = {
  full: {
    name: 'full', scaling: [10_000, 100_000, 1_000_000], events: 200_000, singleSeconds: 5, idleSeconds: 5, checkN: 2_000, workers: WORKERS, postgresIntake: { events: 50_000 },
    webhooks: { deliveries: 20_000, oneContact: 300, events: 50_000 },
    segment: { events: 50_000, visitors: 2_000 },
    concurrent: { clients: 32, seconds: 5, contacts: 2_000, postgres: true },
    reports: { contacts: 1_000_000 },
    backtest: { contacts: 100_000, days: 90 },
  },
  quick: {
    name: 'quick', scaling: [10_000, 100_000], events: 50_000, singleSeconds: 2, idleSeconds: 3, checkN: 1_000, workers: WORKERS, postgresIntake: { events: 20_000 },
    webhooks: { deliveries: 5_000, oneContact: 200, events: 10_000 },
    segment: { events: 20_000, visitors: 500 },
    concurrent: { clients: 32, seconds: 3, contacts: 2_000, postgres: true },
    reports: { contacts: 100_000 },
    backtest: { contacts: 100_000, days: 90 },
  },
} satisfies Record<string, BenchPlan>;

export interface BenchResults {
  readonly plan: string;
  readonly machine: { cpus: number; node: string; platform: string };
  readonly setupMatchesEngine: boolean;
  readonly decay: DecayTickResult[];
  /** The decay tick on PostgreSQL with several workers, or why it did not run (absent: not in the plan). */
  readonly decayWorkers?: { readonly database: string; readonly runs: DecayWorkersResult[] } | { readonly skipped: string };
  readonly intake: IntakeResult;
  /** The intake figure on PostgreSQL, or why it did not run (absent: not in the plan). */
  readonly intakePostgres?: PostgresIntakeResult | { readonly skipped: string };
  readonly degradation: DegradationResult;
  /**
   * Requests answered while the decay tick runs at the largest N, beside the idle server; and the
   * tick's speed under that load beside the quiet tick at that N above (`ratio`: under load over quiet).
   */
  readonly tickLatency: TickLatencyResult & { readonly quietPerSecond: number; readonly ratio: number };
  readonly memory: { n: number; peakRssMb: number; dbBytesPerContact: number };
  /** Webhooks out: the outbox's deliveries per second beside the posts alone, and event intake with subscriptions beside without. */
  readonly webhooks: WebhooksResult;
  /** Data in through Segment's door (POST /v1/batch) beside our own (POST /api/events), the same workload; and merges by identify. */
  readonly segment: SegmentResult;
  /** Single-event requests from many clients at once: group commit beside one transaction a request, and a bare per-request server. */
  readonly concurrent: ConcurrentResult;
  /** Each report's time over a million contacts' history (absent: not in the plan). */
  readonly reports?: ReportsResult;
  /** A backtest of a changed model on real history (absent: not in the plan). */
  readonly backtest?: BacktestBenchResult;
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
  const onPostgres = plan.workers && (await decayOnPostgres(plan.workers, log));
  const big = decay[decay.length - 1];
  log(`event intake (${plan.events.toLocaleString('en')} events)…`);
  const intakeResult = await intake(plan.events, plan.singleSeconds);
  log(`event intake: ${intakeResult.cohorts.fallbacks.toLocaleString('en')} events one by one, because ${Object.entries(intakeResult.cohorts.reasons).map(([why, n]) => `${why} (${n.toLocaleString('en')})`).join(', ') || '—'}`);
  const intakePostgres = plan.postgresIntake && (await intakePostgresFigure(plan.postgresIntake.events, plan.singleSeconds, log));
  log(`single-event requests from ${plan.concurrent.clients} clients at once, ${plan.concurrent.seconds} s a measurement${plan.concurrent.postgres ? ', SQLite and PostgreSQL' : ''}…`);
  const conc = await concurrent(plan.concurrent, plan.concurrent.postgres ? await postgresFor('single-event requests', log) : undefined);
  log(`degradation and sorting at ${big.n.toLocaleString('en')}…`);
  const deg = await degradation(big.n);
  log(`requests during the decay tick at ${big.n.toLocaleString('en')}…`);
  const latencies = await tickLatency(big.n, plan.idleSeconds);
  if (latencies.failures.length) throw new Error(`requests failed during the tick: ${latencies.failures.slice(0, 5).join('; ')}`);
  log(`webhooks: ${plan.webhooks.deliveries.toLocaleString('en')} deliveries, one contact's ${plan.webhooks.oneContact.toLocaleString('en')}, intake of ${plan.webhooks.events.toLocaleString('en')} events with and without subscriptions…`);
  const hooks = await webhooks(plan.webhooks);
  log(`Segment intake: ${plan.segment.events.toLocaleString('en')} events through /v1/batch and /api/events in turn${plan.segment.visitors ? `, ${plan.segment.visitors.toLocaleString('en')} anonymous visitors merged by identify` : ''}…`);
  const segment = await segmentIntake(plan.segment);
  const reportsResult = plan.reports ? await reportsBench(plan.reports.contacts, log) : undefined;
  if (plan.backtest) log(`backtest of a changed model: ${plan.backtest.contacts.toLocaleString('en')} contacts, ${plan.backtest.days} days of events…`);
  const backtest = plan.backtest ? await backtestBench(plan.backtest.contacts, plan.backtest.days) : undefined;
  return {
    plan: plan.name,
    machine: { cpus: cpus().length, node: process.version, platform: process.platform },
    setupMatchesEngine,
    decay,
    ...(onPostgres ? { decayWorkers: onPostgres } : {}),
    intake: intakeResult,
    ...(intakePostgres ? { intakePostgres } : {}),
    degradation: deg,
    tickLatency: { ...latencies, quietPerSecond: big.engine, ratio: latencies.tickPerSecond / big.engine },
    memory: { n: big.n, peakRssMb: big.peakRssMb, dbBytesPerContact: big.dbBytesPerContact },
    webhooks: hooks,
    segment,
    concurrent: conc,
    ...(reportsResult ? { reports: reportsResult } : {}),
    ...(backtest ? { backtest } : {}),
  };
}

/** The PostgreSQL server the bench may use (SCOREMAP_BENCH_DATABASE_URL, else the test server), or why there is none (said to `log`). */
async function postgresFor(what: string, log: (line: string) => void = () => {}): Promise<{ url: string } | { skipped: string }> {
  const url = process.env.SCOREMAP_BENCH_DATABASE_URL || LOCAL_TEST_POSTGRES;
  const unavailable = await postgresUnavailable(url);
  if (!unavailable) return { url };
  const skipped = `${unavailable}; start one with \`bash scripts/test-postgres.sh\`, or set SCOREMAP_BENCH_DATABASE_URL`;
  log(`${what} on PostgreSQL skipped: ${skipped}`);
  return { skipped };
}

/** The intake figure on the PostgreSQL server there is, or why there is none. */
async function intakePostgresFigure(events: number, singleSeconds: number, log: (line: string) => void): Promise<PostgresIntakeResult | { skipped: string }> {
  const pg = await postgresFor('event intake', log);
  if ('skipped' in pg) return pg;
  log(`event intake on PostgreSQL (${events.toLocaleString('en')} events)…`);
  return intakeOnPostgres(pg.url, events, singleSeconds);
}

/** The decay tick with each count of workers on the PostgreSQL server there is, or why there is none. */
async function decayOnPostgres(plan: NonNullable<BenchPlan['workers']>, log: (line: string) => void): Promise<NonNullable<BenchResults['decayWorkers']>> {
  const pg = await postgresFor('decay tick', log);
  if ('skipped' in pg) return pg;
  const { url } = pg;
  log(`decay tick on PostgreSQL at ${plan.n.toLocaleString('en')}, ${plan.counts.join(', ')} workers…`);
  return { database: redactUrl(url), runs: await decayWorkers(plan.n, plan.counts, url, log) };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const fmt = (x: number, digits = 0) => x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The results as a plain-text table. */
export function table(r: BenchResults): string {
  const big = r.decay[r.decay.length - 1];
  const rows: string[][] = [
    ['Figure', 'Scoremap', 'Baseline', 'Ratio', 'Target', 'Its SQL alone', 'SQL share'],
    [`Decay tick, ${fmt(big.n)} contacts (steps/s)`, fmt(big.engine), fmt(big.baseline), fmt(big.ratio, 2), '≥ 1.00', fmt(big.sqlOnly), pct(big.sqlShare)],
    [`Event intake, batches of 1,000 (events/s)`, fmt(r.intake.engine), fmt(r.intake.baseline), fmt(r.intake.ratio, 3), '≥ 25,000/s', fmt(r.intake.sqlOnly), pct(r.intake.sqlShare)],
    [`Event intake: events set-based / entries as cohorts / one by one`, `${fmt(r.intake.cohorts.events)} / ${fmt(r.intake.cohorts.entries)} / ${fmt(r.intake.cohorts.fallbacks)}`, '', '', '', '', ''],
    [`Single-event requests, one in flight (req/s)`, fmt(r.intake.singleRequests), '', '', '', '', ''],
    ...(r.intakePostgres && !('skipped' in r.intakePostgres) ? [
      [`Event intake on PostgreSQL, batches of 1,000 (events/s)`, fmt(r.intakePostgres.engine), '', '', '', '', ''],
      [`Single-event requests on PostgreSQL, one in flight (req/s)`, fmt(r.intakePostgres.singleRequests), '', '', '', '', ''],
    ] : []),
    [`Degradation, ${fmt(r.degradation.n)} scores (rows/s)`, fmt(r.degradation.engine), fmt(r.degradation.baseline), fmt(r.degradation.ratio, 2), '', '', ''],
    [`Peak RSS, ${fmt(r.memory.n)} waiting (MB)`, fmt(r.memory.peakRssMb), '', '', r.memory.n >= 1_000_000 ? '< 500' : '(< 500 at 1M)', '', ''],
    [`Database size per contact (bytes)`, fmt(r.memory.dbBytesPerContact), '', '', '', '', ''],
    [`Contacts by score, first page (ms)`, `${fmt(r.degradation.sortFirstMs, 1)} first, ${fmt(r.degradation.sortMedianMs, 1)} median`, '', '', '', '', ''],
  ];
  const scaling: string[][] = [['Decay tick at', 'Scoremap steps/s', 'Baseline steps/s', 'Ratio', 'Engine s', 'Its SQL alone', 'SQL share', 'One UPDATE for all steps/s', 'Cohorts', 'Contacts in cohorts', 'Fallbacks']];
  for (const d of r.decay) scaling.push([fmt(d.n), fmt(d.engine), fmt(d.baseline), fmt(d.ratio, 2), fmt(d.engineMs / 1000, 2), fmt(d.sqlOnly), pct(d.sqlShare), fmt(d.setBased), fmt(d.cohorts.cohorts), fmt(d.cohorts.contacts), fmt(d.cohorts.fallbacks)]);
  const render = (t: string[][]) => {
    const w = t[0].map((_, c) => Math.max(...t.map((row) => row[c].length)));
    return t.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ').trimEnd()).join('\n');
  };
  const postgres = r.decayWorkers ? `\n\n${workersTable(r.decayWorkers, r, render)}` : '';
  const ledger = `\n\n${degradationTable(r, render)}`;
  const latency = `\n\n${latencyTable(r, render)}`;
  const hooks = `\n\n${webhooksTable(r, render)}`;
  const segment = `\n\n${segmentTable(r, render)}`;
  const grouped = `\n\n${concurrentTable(r, render)}`;
  const reportsText = r.reports ? `\n\n${reportsTable(r.reports)}` : '';
  const backtest = r.backtest ? `\n\n${backtestTable(r.backtest, render)}` : '';
  const pgIntake = r.intakePostgres ? ('skipped' in r.intakePostgres ? ` Event intake on PostgreSQL: skipped, ${r.intakePostgres.skipped}.` : ` Event intake on PostgreSQL: ${fmt(r.intakePostgres.events)} events over ${fmt(r.intakePostgres.contacts)} contacts, the server on this machine, sharing its cores.`) : '';
  const note = 'Its SQL alone: the statements Scoremap issued, replayed on a copy of the database (SQLite time only). SQL share: that time over Scoremap\'s. One UPDATE for all: the tick as two set-based statements over every due contact (no history, no claims), the physical limit. Cohorts: the due waits run as sets (server/runtime/cohort.ts); fallbacks: those run contact by contact.' + pgIntake;
  return `${render(rows)}\n\n${render(scaling)}${ledger}${grouped}${latency}${postgres}${hooks}${segment}${reportsText}${backtest}\n\n${note}\n${r.plan} run, ${r.machine.cpus} cores, Node ${r.machine.node}; set-based setup matches the engine: ${r.setupMatchesEngine ? 'yes' : 'NO'}`;
}

/** A backtest on real history: its time, events replayed per second, and where the time goes. */
function backtestTable(b: BacktestBenchResult, render: (t: string[][]) => string): string {
  const t: string[][] = [[`Backtest of a changed model, ${fmt(b.contacts)} contacts, ${b.days} days`, 'Seconds', 'Events/s', 'Reads alone s', 'Summary s', 'Peak RSS MB', 'Target']];
  t.push([`${fmt(b.events)} stored events replayed`, fmt(b.ms / 1000, 1), fmt(b.eventsPerSecond), fmt(b.readMs / 1000, 1), fmt(b.summaryMs / 1000, 1), fmt(b.peakRssMb), '< 60 s']);
  return `${render(t)}\nThe rest of the time is the replay in the private copies: the events through the engine, and each day's degradation of the model (1 % a day) for every contact (see docs/backtest.md).`;
}

/** What the points ledger adds to the daily degradation: each variant beside the plain model, the same run. */
function degradationTable(r: BenchResults, render: (t: string[][]) => string): string {
  const d = r.degradation;
  const what: Record<string, string> = {
    plain: 'Plain: 3 % a day, no brackets, no fixed points',
    brackets: 'Brackets: the same, 3 brackets kept in their field',
    fixed: 'Fixed points: plain, a fifth of contacts hold some',
    inactivity: 'Inactivity: 5 % a day after a day inactive, all due',
  };
  const t: string[][] = [[`Degradation with the ledger, ${fmt(d.n)} scores`, 'Rows/s', 'Changed', 'Ratio to plain', 'CPU-time ratio', 'Target']];
  for (const v of d.variants) t.push([what[v.variant] ?? v.variant, fmt(v.perSecond), fmt(v.changed), fmt(v.ratio, 2), fmt(v.cpuRatio, 2), v.variant === 'plain' ? '' : '≥ 0.50']);
  const note = `Each variant a fresh database of the same scored contacts, the clock moved across one midnight (rt.advance); ${d.rounds} round${d.rounds === 1 ? '' : 's'}, the order reversed each round, the fastest of each kept. Ratio: plain's time over the variant's. Plain is what the run did before the ledger (a history INSERT … SELECT, then the UPDATE). Load average (1 min) ${fmt(d.load[0], 2)} as the variants started, ${fmt(d.load[1], 2)} as they ended.`;
  return `${render(t)}\n${note}`;
}

/** Single-event requests from many clients at once: group commit beside a transaction per request, on SQLite and PostgreSQL. */
function concurrentTable(r: BenchResults, render: (t: string[][]) => string): string {
  const c = r.concurrent;
  const ms = (x: number) => fmt(x, 1);
  const row = (what: string, f: ConcurrentResult['sqlite']['grouped'], base: number | undefined, target: string): string[] =>
    [what, fmt(f.perSecond), base === undefined ? '' : fmt(base), base === undefined ? '' : fmt(f.perSecond / base, 2), ms(f.p50), ms(f.p99), f.groupSize === undefined ? '' : fmt(f.groupSize, 1), f.fallbacks === undefined ? '' : fmt(f.fallbacks), target];
  const s = c.sqlite;
  const t: string[][] = [
    [`Single-event requests, ${c.clients} clients at once (events/s)`, 'Scoremap', 'Baseline', 'Ratio', 'p50 ms', 'p99 ms', 'Requests a group', 'Fallbacks', 'Target'],
    row('SQLite, group commit, five templates', s.grouped, s.baseline.perSecond, '≥ 5,000/s, p99 < 50'),
    row('SQLite, a transaction a request, five templates', s.ungrouped, s.baseline.perSecond, ''),
    row('SQLite, group commit, custom-lead-score alone', s.oneMap, s.baseline.perSecond, ''),
    row('Baseline: bare node:http, an INSERT a request', s.baseline, undefined, ''),
  ];
  const single: string[][] = [['One request in flight (req/s)', 'Scoremap', 'Target'], ['SQLite, group commit', fmt(s.single), 'no slower than before (429)']];
  const pg = c.postgres;
  if (pg && !('skipped' in pg)) {
    t.push(row('PostgreSQL, group commit, five templates', pg.grouped, pg.ungrouped.perSecond, '≥ 2,000/s'));
    t.push(row('PostgreSQL, a transaction a request, five templates', pg.ungrouped, undefined, ''));
    single.push(['PostgreSQL, group commit', fmt(pg.single), '']);
  }
  const notes = [
    `A client process keeps ${c.clients} keep-alive connections to 127.0.0.1, each sending its next single-event request (an existing contact of ${fmt(c.contacts)} by email, four event types in turn) when the last is answered, for ${c.seconds} s; each answer comes after its commit. Each row on a fresh server and database.`,
    'Baseline (SQLite rows): a bare node:http server parsing each request and inserting its event row with better-sqlite3 in a transaction of its own, the same pragmas: the least a durable per-request intake does. PostgreSQL group commit: its baseline is the same server with a transaction a request.',
    `Requests a group: requests per transaction on average (group commit takes those that arrive while the engine is busy, up to 1,000 events). Fallbacks: groups that failed as a whole and ran again a request at a time.`,
  ];
  if (pg && 'skipped' in pg) notes.push(`PostgreSQL: skipped, ${pg.skipped}.`);
  else if (pg) notes.push(`PostgreSQL: on this machine, sharing its ${r.machine.cpus} cores with the server and the client.`);
  return `${render(t)}\n\n${render(single)}\n${notes.join('\n')}`;
}

/** Requests during the decay tick at the largest N, beside the idle server, and the tick's speed with and without them. */
function latencyTable(r: BenchResults, render: (t: string[][]) => string): string {
  const l = r.tickLatency;
  const ms = (x: number) => fmt(x, 1);
  const requests: string[][] = [
    [`Requests, decay tick of ${fmt(l.n)} (ms)`, 'Idle p50', 'Idle p99', 'During p50', 'During p99', 'During max', 'Served during', 'Target'],
    ['Single event (POST /api/events)', ms(l.idle.events.p50), ms(l.idle.events.p99), ms(l.duringTick.events.p50), ms(l.duringTick.events.p99), ms(l.duringTick.events.max), fmt(l.duringTick.events.count), 'p99 < 100'],
    ['Health (GET /api/health)', ms(l.idle.health.p50), ms(l.idle.health.p99), ms(l.duringTick.health.p50), ms(l.duringTick.health.p99), ms(l.duringTick.health.max), fmt(l.duringTick.health.count), ''],
  ];
  const tick: string[][] = [
    [`Decay tick of ${fmt(l.n)} with those requests`, 'Quiet steps/s', 'Under load steps/s', 'Ratio', 'Target', 'Under load s'],
    ['Contact-steps per second', fmt(l.quietPerSecond), fmt(l.tickPerSecond), fmt(l.ratio, 2), '≥ 0.90', fmt(l.tickMs / 1000, 2)],
  ];
  const note = 'One client process, one request at a time (a single event for a random parked contact, then a health check), over 127.0.0.1; during: from the tick\'s POST /api/clock/advance until it answered. Quiet: the decay tick above, with no requests.';
  return `${render(requests)}\n\n${render(tick)}\n${note}`;
}

/** Webhooks out: the outbox's sending beside the posts alone, one contact's beside many, intake with subscriptions beside without. */
function webhooksTable(r: BenchResults, render: (t: string[][]) => string): string {
  const { outbox: o, intake: i } = r.webhooks;
  const t: string[][] = [
    ['Webhooks out', 'Scoremap', 'Baseline', 'Ratio', 'CPU-time ratio'],
    [`Outbox to a 204 receiver, ${fmt(o.deliveries)} deliveries on ${fmt(o.streams)} streams (deliveries/s)`, fmt(o.engine), fmt(o.baseline), fmt(o.ratio, 2), fmt(o.cpuRatio, 2)],
    [`One contact's ${fmt(o.oneContact.deliveries)} deliveries, in order (deliveries/s)`, fmt(o.oneContact.perSecond), fmt(o.engine), fmt(o.oneContact.ratio, 2), ''],
    [`Event intake, ${fmt(i.events)} events, with ${i.subscriptions.length} subscriptions (events/s)`, fmt(i.with), fmt(i.without), fmt(i.ratio, 2), fmt(i.cpuRatio, 2)],
  ];
  const subs = i.subscriptions.map((s) => `${s.events.join(', ')}${s.fields ? ` (${s.fields.join(', ')})` : ' (every field)'}: ${fmt(s.deliveries)}`).join('; ');
  const notes = [
    `Outbox: rows queued by the runtime (a contact.created subscription, one new contact each), then the Sender (${o.concurrency} posts in flight) until all are delivered, to a receiver in a child process answering 204; in 4 rounds, each timing the baseline then the Sender. Baseline: the same signed bodies posted with the same postDelivery, ${o.concurrency} in flight, no database.`,
    `One contact: a contact.updated subscription on Last activity, one delivery per event; a contact's deliveries go out one at a time. Baseline: the many contacts' rate above.`,
    `Intake: the event intake's workload (its templates and events, 1,000 to a batch) in this process, no sender running; baseline: no subscription. Deliveries written: ${subs} (${fmt(i.deliveries / i.events, 2)} per event, ${fmt(i.usPerDelivery)} µs of CPU each).`,
  ];
  notes.push('CPU-time ratio: the same ratio in the bench process\'s CPU time (user and system), which other work on the machine moves less than the clock.');
  return `${render(t)}\n${notes.join('\n')}`;
}

/** Data in through Segment's door beside our own, and merges by identify beside identifies alone. */
function segmentTable(r: BenchResults, render: (t: string[][]) => string): string {
  const g = r.segment;
  const t: string[][] = [
    ['Data in through Segment\'s door', 'Scoremap', 'Baseline', 'Ratio', 'CPU-time ratio'],
    [`POST /v1/batch, the intake workload: ${fmt(g.events)} events as Segment calls, 1,000 a batch (events/s)`, fmt(g.v1), fmt(g.apiEvents), fmt(g.ratio, 2), fmt(g.cpuRatio, 2)],
  ];
  if (g.merges) {
    const m = g.merges;
    t.push([`Identifies that merge an anonymous visitor, ${fmt(m.visitors)}, 100 a batch (merges/s)`, fmt(m.perSecond), fmt(m.plainIdentifies), fmt(m.ratio, 2), '']);
    t.push([`Anonymous page calls, ${fmt(2 * m.visitors)}, 1,000 a batch (calls/s)`, fmt(m.anonymousPages), fmt(g.v1), fmt(m.anonymousPages / g.v1, 2), '']);
  }
  const notes = [
    `Baseline: POST /api/events with the same events (contacts named by email), 1,000 a request. Each door on a server of its own (the intake figure's five templates) and a fresh database, two requests in flight from a client process, one ingest key; two rounds, the order swapped in the second; the faster of each.`,
    `/v1: what @segment/analytics-node posts from a server app (HTTP Basic, its context, metadata and messageIds; the largest batch ${fmt(g.largestBatchBytes / 1024)} KB of Segment's 500): Email Link Clicked and Form Submitted tracks, page calls; each names the person by userId, the first about a person adds context.traits.email. Checked: both databases hold the same ${fmt(g.sameContacts)} contacts with the same fields (the scores), tags, events and places on maps.`,
  ];
  if (g.merges) notes.push(`Merges: on the last /v1 server, each visitor views the pricing page twice anonymously, then identifies as a known user (one merge each); baseline: identifies of as many other known users from browsers never seen (nothing to merge), their batches in turn, one request at a time. Page calls: beside the workload's /v1 rate above.`);
  notes.push('CPU-time ratio: the servers run in the bench process, the client in another: the same ratio in the bench process\'s CPU time, which other work on the machine moves less than the clock.');
  return `${render(t)}\n${notes.join('\n')}`;
}

/** The decay tick on PostgreSQL with 1, 2, 3… workers, under the SQLite one at the same size. */
function workersTable(w: NonNullable<BenchResults['decayWorkers']>, r: BenchResults, render: (t: string[][]) => string): string {
  if ('skipped' in w) return `Decay tick on PostgreSQL with several workers: skipped, ${w.skipped}.`;
  const n = w.runs[0].n;
  const t: string[][] = [[`Decay tick on PostgreSQL, ${fmt(n)} contacts`, 'Steps/s', 'Speed-up', 'Engine s', 'Start s']];
  const sqlite = r.decay.find((d) => d.n === n);
  if (sqlite) t.push(['SQLite, one process (above)', fmt(sqlite.engine), '', fmt(sqlite.engineMs / 1000, 2), '']);
  for (const run of w.runs) t.push([`${run.workers} worker${run.workers === 1 ? '' : 's'}`, fmt(run.engine), fmt(run.speedup, 2), fmt(run.engineMs / 1000, 2), fmt(run.bootMs / 1000, 1)]);
  const big = r.decay[r.decay.length - 1].n;
  const notes = [
    `Workers: \`scoremap worker\` processes on ${w.database}, timed from the moment every contact comes due until all are parked for the next day; Speed-up: over 1 worker; Start s: until every worker said it was running, before the timing starts.`,
    `The PostgreSQL server, the workers and the bench share this machine's ${r.machine.cpus} cores.${big !== n ? ` Measured at ${fmt(n)} contacts in ${r.plan} runs too: at ${fmt(big)}, three worker counts would take some ten minutes.` : ''}`,
    ...w.runs.flatMap((run) => run.trouble.map((line) => `With ${run.workers} worker${run.workers === 1 ? '' : 's'}: ${line}`)),
  ];
  return `${render(t)}\n\n${notes.join('\n')}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const plan = process.argv.includes('--quick') ? PLANS.quick : PLANS.full;
  const started = Date.now();
  const results = await runBench(plan, (line) => console.error(line));
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log(table(results));
  console.error(`(${((Date.now() - started) / 1000).toFixed(1)} s; bench/results.json written)`);
}
