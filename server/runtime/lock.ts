/**
 * Runs async work one piece at a time. SQLite has one writer; taking turns here keeps a unit of
 * work (read, decide, write) from interleaving with another one's reads.
 */
export class Lock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
