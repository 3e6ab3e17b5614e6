/**
 * Runs async work one piece at a time. SQLite has one writer; taking turns here keeps a unit of
 * work (read, decide, write) from interleaving with another one's reads. Turns are taken in the
 * order asked for.
 */
export class Lock {
  #tail: Promise<unknown> = Promise.resolve();
  #waiting = 0;

  /** How many pieces of work have asked for a turn and not finished (the one running included). */
  get waiting(): number {
    return this.#waiting;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.#waiting++;
    const result = this.#tail.then(fn).finally(() => this.#waiting--);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
