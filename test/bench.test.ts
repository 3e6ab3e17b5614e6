import { describe, expect, it } from 'vitest';
import { runBench, table, type BenchPlan } from '../bench/run.js';

// The quick benchmark's code paths at a tiny size, so the benchmark cannot rot. No timing asserts.
const TINY: BenchPlan = { name: 'tiny', scaling: [100, 200], events: 2_000, singleSeconds: 0.2, idleSeconds: 0.3, checkN: 200, webhooks: { deliveries: 50, oneContact: 10, events: 1_000 }, segment: { events: 1_000, visitors: 40 }, concurrent: { clients: 4, seconds: 0.3, contacts: 20, postgres: false } };

describe('the benchmark', () => {
  it('runs every figure at tiny N and produces sane shapes', async () => {
    const r = await runBench(TINY);
    expect(r.setupMatchesEngine).toBe(true);
    expect(r.decay.map((d) => d.n)).toEqual([100, 200]);
    const positive = [
      ...r.decay.flatMap((d) => [d.engine, d.baseline, d.ratio, d.sqlOnly, d.sqlShare, d.peakRssMb, d.dbBytesPerContact, d.setBased, d.cohorts.contacts]),
      r.intake.engine, r.intake.baseline, r.intake.ratio, r.intake.singleRequests, r.intake.sqlOnly, r.intake.sqlShare,
      r.degradation.engine, r.degradation.baseline, r.degradation.ratio, r.degradation.sortFirstMs, r.degradation.sortMedianMs,
      r.memory.peakRssMb, r.memory.dbBytesPerContact,
      r.tickLatency.idle.events.count, r.tickLatency.idle.events.p50, r.tickLatency.idle.health.p99, r.tickLatency.tickMs, r.tickLatency.tickPerSecond,
      r.tickLatency.quietPerSecond, r.tickLatency.ratio,
      r.webhooks.outbox.engine, r.webhooks.outbox.baseline, r.webhooks.outbox.ratio, r.webhooks.outbox.cpuRatio, r.webhooks.outbox.oneContact.perSecond, r.webhooks.outbox.oneContact.ratio,
      r.webhooks.intake.with, r.webhooks.intake.without, r.webhooks.intake.ratio, r.webhooks.intake.cpuRatio,
      r.segment.v1, r.segment.apiEvents, r.segment.ratio, r.segment.cpuRatio,
      r.concurrent.sqlite.grouped.perSecond, r.concurrent.sqlite.ungrouped.perSecond, r.concurrent.sqlite.oneMap.perSecond, r.concurrent.sqlite.baseline.perSecond, r.concurrent.sqlite.single,
      r.concurrent.sqlite.grouped.p99, r.concurrent.sqlite.grouped.groupSize!,
      r.segment.merges!.perSecond, r.segment.merges!.plainIdentifies, r.segment.merges!.ratio, r.segment.merges!.anonymousPages,
    ];
    for (const x of positive) expect(Number.isFinite(x) && x > 0).toBe(true);
    expect(r.intake.events).toBe(2_000);
    // Every event of the batches went set-based or one by one, and is counted once.
    expect(r.intake.cohorts.events + r.intake.cohorts.fallbacks).toBe(2_000);
    expect(r.degradation.n).toBe(200);
    expect(r.tickLatency.n).toBe(200);
    expect(r.tickLatency.failures).toEqual([]);
    // Every delivery queued went out, one stream per contact; the subscriptions heard the intake workload.
    expect(r.webhooks.outbox).toMatchObject({ deliveries: 50, contacts: 50, streams: 50, oneContact: { deliveries: 10 } });
    expect(r.webhooks.intake.events).toBe(1_000);
    expect(r.webhooks.intake.subscriptions.map((s) => s.events)).toEqual([['score.changed'], ['contact.updated']]);
    for (const s of r.webhooks.intake.subscriptions) expect(s.deliveries).toBeGreaterThan(0);
    expect(r.webhooks.intake.ratio).toBeCloseTo(r.webhooks.intake.with / r.webhooks.intake.without);
    // Both doors took the same workload and left the same contacts (the run throws otherwise), in batches under Segment's 500 KB.
    expect(r.segment).toMatchObject({ events: 1_000, contacts: 200, sameContacts: 200, merges: { visitors: 40 } });
    expect(r.segment.largestBatchBytes).toBeGreaterThan(0);
    expect(r.segment.largestBatchBytes).toBeLessThanOrEqual(500 * 1024);
    expect(r.segment.ratio).toBeCloseTo(r.segment.v1 / r.segment.apiEvents);
    // The decay loop runs as cohorts, none of its waits contact by contact.
    for (const d of r.decay) expect(d.cohorts).toMatchObject({ contacts: d.n, fallbacks: 0 });
    // Without group commit every request is a transaction of its own; nothing fell back.
    expect(r.concurrent.sqlite.ungrouped.groupSize).toBe(1);
    expect(r.concurrent.sqlite.grouped.fallbacks).toBe(0);
    // The tick under load is set beside the quiet tick at the same N.
    expect(r.tickLatency.quietPerSecond).toBe(r.decay[r.decay.length - 1].engine);
    expect(r.tickLatency.ratio).toBeCloseTo(r.tickLatency.tickPerSecond / r.tickLatency.quietPerSecond);
    for (const l of [r.tickLatency.idle.events, r.tickLatency.idle.health, r.tickLatency.duringTick.events, r.tickLatency.duringTick.health]) {
      expect(l.p50).toBeLessThanOrEqual(l.p99);
      expect(l.p99).toBeLessThanOrEqual(l.max);
    }
    const text = table(r);
    for (const figure of ['Decay tick', 'Event intake', 'Single-event', 'Degradation', 'Peak RSS', 'per contact', 'first page', 'SQL alone', 'During p99', 'Health (GET', 'Under load steps/s', 'Outbox to a 204 receiver', 'One contact', 'with 2 subscriptions', 'POST /v1/batch, the intake workload', 'Identifies that merge', 'clients at once', 'group commit, five templates', 'One request in flight', 'One UPDATE for all', 'Fallbacks', 'entries as cohorts']) expect(text).toContain(figure);
  }, 60_000);
});
