import type { Runtime } from './runtime/runtime.js';

/** The longest single sleep: timers past ~24.8 days overflow, and a periodic look costs nothing. */
const MAX_SLEEP_MS = 60_000;
/**
 * On a database shared with other processes, the longest sleep: they publish maps and schedule
 * work this process hears of only by looking (a look is a few indexed queries).
 */
const SHARED_SLEEP_MS = 1_000;
/** How soon to look again when the due work is in another process's hands (a batch takes about this long). */
const HELD_ELSEWHERE_MS = 50;

/**
 * Keeps the engine running on the real clock: sleeps until the next due wait, date trigger or
 * cron tick (one indexed query, never a scan of the contacts), fires what is due, and sleeps
 * again. Anything that may bring the next due time closer (an event, a publish) wakes it.
 */
export class Scheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #again = false;
  /** When the sleep in progress ends (Infinity while a run is in progress: any news counts). */
  #wakeAt = Infinity;
  readonly #unsubscribe: () => void;

  readonly #maxSleep: number;
  /** Whether the last look failed because the database was not answering. */
  #unavailable = false;
  readonly #shared: boolean;
  private readonly onError: (e: unknown) => void;

  constructor(
    private readonly rt: Runtime,
    opts: { shared?: boolean; onError?: (e: unknown) => void } = {},
  ) {
    this.onError = opts.onError ?? ((e) => console.error('scheduler:', e));
    this.#shared = opts.shared === true;
    this.#maxSleep = this.#shared ? SHARED_SLEEP_MS : MAX_SLEEP_MS;
    rt.due.scheduled = true;
    // Work due later than the planned wake-up needs no early look (an event scheduling a wait of
    // days); anything sooner, or a change of maps, does.
    this.#unsubscribe = rt.onChange((at) => {
      if (this.#running || at < this.#wakeAt) this.poke();
    });
  }

  /** When the sleep in progress ends, by the runtime's clock; Infinity while a run is in progress or pending. */
  get sleepingUntil(): number {
    return this.#running ? Infinity : this.#wakeAt;
  }

  /** Fires what is overdue now (after a restart: everything that came due while down), then sleeps. */
  start(): void {
    this.poke();
  }

  /** Looks again at once (coalesced while a run is in progress). */
  poke(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#wakeAt = Infinity;
    this.#running = this.#tick().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.poke();
      }
    });
  }

  async #tick(): Promise<void> {
    try {
      // Another process may have published a map or a model since: read the world again first.
      if (this.#shared) await this.rt.refresh();
      // In slices: requests are served between them, and a stop ends the run at the next one.
      await this.rt.runDue({ stopped: () => this.#stopped });
      if (this.#unavailable) console.error('scheduler: the database answers again');
      this.#unavailable = false;
      if (this.#stopped) return;
      const next = await this.rt.nextDue();
      let delay = next === null ? this.#maxSleep : Math.min(this.#maxSleep, Math.max(0, next - this.rt.clock.now()));
      // Still due right after a run: on a shared database, another process holds that work (its
      // batch is in hand). Look again shortly rather than at once, over and over, until it commits.
      if (this.#shared && delay === 0) delay = HELD_ELSEWHERE_MS;
      clearTimeout(this.#timer);
      this.#wakeAt = this.rt.clock.now() + delay;
      this.#timer = setTimeout(() => this.poke(), delay);
    } catch (e) {
      // An unreachable database is said in one line, once until it answers again, not a stack a second.
      if (this.rt.store.dialect.isUnavailable(e)) {
        if (!this.#unavailable) console.error(`scheduler: the database is not answering (${(e as Error).message}); looking again every second`);
        this.#unavailable = true;
      } else {
        this.onError(e);
      }
      if (!this.#stopped) {
        this.#wakeAt = this.rt.clock.now() + 1_000;
        this.#timer = setTimeout(() => this.poke(), 1_000);
      }
    }
  }

  /** Stops scheduling and waits for the batch in hand to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.rt.due.scheduled = false;
    this.#unsubscribe();
    clearTimeout(this.#timer);
    await this.#running;
  }
}
