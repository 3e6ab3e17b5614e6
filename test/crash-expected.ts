/**
 * The custom-lead-score template (maps/custom-lead-score.json), worked out by hand: what the crash
 * tests (crash.test.ts, crash-group.test.ts) expect of each contact, computed from the events and
 * the clock, never by the engine.
 */

const DAY = 24 * 3_600_000;

/** Points and the element that adds them, per event (maps/custom-lead-score.json); null: no points. */
export function pointsFor(type: string, props: Record<string, string>): { element: string; points: number } | null {
  if (type === 'email_link_clicked') return { element: 'add_click', points: 5 };
  if (type === 'page_visited' && props.url.includes('/pricing')) return { element: 'add_pricing', points: 10 };
  if (type === 'form_submitted') return { element: 'add_form', points: 10 };
  if (type === 'demo_requested') return { element: 'add_demo', points: 20 };
  return null;
}

/**
 * One contact under custom-lead-score: points for actions (each restarts the daily wait, capped at
 * 100), 2 points off when the wait comes due (leaving the loop at 0), back to 0 thirty days after
 * the last activity (of any event's `at`).
 */
export class ExpectedContact {
  score = 0;
  waitDue: number | null = null;
  lastActivity: number | null = null;
  resetDue: number | null = null;
  readonly counts = { add: 0, decay: 0, reset: 0 };

  /** Fires what is due up to `t` in time order; the workload never puts a wait and a reset at the same instant. */
  runUntil(t: number): void {
    for (;;) {
      const wait = this.waitDue ?? Infinity;
      const reset = this.resetDue ?? Infinity;
      if (Math.min(wait, reset) > t) return;
      if (wait === reset) throw new Error('workload bug: a wait and a reset due at the same instant');
      if (wait < reset) {
        this.counts.decay++;
        this.score = Math.max(0, this.score - 2);
        this.waitDue = this.score > 0 ? wait + DAY : null;
      } else {
        this.resetDue = null;
        if (this.score > 0) {
          this.counts.reset++;
          this.score = 0;
          this.waitDue = null;
        }
      }
    }
  }

  event(now: number, at: number, type: string, props: Record<string, string>): void {
    if (this.lastActivity === null || at > this.lastActivity) {
      this.lastActivity = at;
      this.resetDue = Math.max(now, at + 30 * DAY);
    }
    const p = pointsFor(type, props);
    if (p) {
      this.counts.add++;
      this.score = Math.min(100, this.score + p.points);
      this.waitDue = now + DAY;
    }
  }
}
