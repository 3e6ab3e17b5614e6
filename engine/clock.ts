/** The engine's only source of time: tests and the simulator replace it (SPEC §3). */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The wall clock. The one place in Scoremap that reads Date.now(). */
export const realClock: Clock = { now: () => Date.now() };

/**
 * A clock that moves only when told. The runtime's `advance(to)` steps it through every due
 * moment up to `to`, running what is due at each, before it returns.
 */
export class ManualClock implements Clock {
  #now: number;
  constructor(start: number) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  /** Sets the time; it never goes backwards. */
  set(to: number): void {
    if (to > this.#now) this.#now = to;
  }
}
