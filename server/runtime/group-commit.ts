import type { Lock } from './lock.js';

interface Entry<Req, Res> {
  readonly req: Req;
  readonly size: number;
  readonly resolve: (res: Res) => void;
  readonly reject: (err: unknown) => void;
}

export interface GroupCommitOptions<Req, Res> {
  /** The engine's turn: a group runs while it holds it. */
  readonly lock: Lock;
  /** A group takes requests while their sizes add up to at most this (always at least one request). */
  readonly maxSize: number;
  /** A request's size (events it carries). */
  readonly size: (req: Req) => number;
  /**
   * Runs requests together in one transaction, answering each its result or the error that
   * refused it alone (a refused request must have written nothing). Throwing fails the whole
   * group: nothing of it was written.
   */
  readonly run: (reqs: readonly Req[]) => Promise<(Res | Error)[]>;
}

/**
 * Group commit: requests that arrive while the engine is busy (a transaction open, or in the same
 * turn of the event loop) wait, and then run together in one transaction; each is answered after
 * that transaction commits, with its own result. One request alone runs as soon as the engine is
 * free, as it always did.
 *
 * A request refused on its own (an unknown contact) fails alone and the others commit. When the
 * whole group fails (a step of the transaction threw), each of its requests runs again alone, in
 * its own transaction, so one request's failure is never another's.
 */
export class GroupCommit<Req, Res> {
  readonly #opts: GroupCommitOptions<Req, Res>;
  #queue: Entry<Req, Res>[] = [];
  #scheduled = false;
  /** Groups run, the requests in them, groups that fell back to one request at a time, and the milliseconds spent running groups: for the benchmark. */
  readonly stats = { groups: 0, requests: 0, fallbacks: 0, ms: 0 };

  constructor(opts: GroupCommitOptions<Req, Res>) {
    this.#opts = opts;
  }

  /** Requests waiting for their group. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Runs `req` in the next group; resolves after that group's commit. */
  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.#queue.push({ req, size: this.#opts.size(req), resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // One turn of the event loop first: the requests read in the same turn join the group.
    setImmediate(() => {
      void this.#opts.lock.run(() => this.#drain());
    });
  }

  async #drain(): Promise<void> {
    this.#scheduled = false;
    const group: Entry<Req, Res>[] = [];
    let size = 0;
    while (this.#queue.length && (group.length === 0 || size + this.#queue[0]!.size <= this.#opts.maxSize)) {
      const e = this.#queue.shift()!;
      size += e.size;
      group.push(e);
    }
    // What did not fit waits for the next turn (after whatever else waits for the engine).
    if (this.#queue.length) this.#schedule();
    if (!group.length) return;
    this.stats.groups++;
    this.stats.requests += group.length;
    const started = performance.now();
    try {
      await this.#runGroup(group);
    } finally {
      this.stats.ms += performance.now() - started;
    }
  }

  async #runGroup(group: Entry<Req, Res>[]): Promise<void> {
    try {
      this.#answer(group, await this.#opts.run(group.map((e) => e.req)));
      return;
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
    }
    // The group failed as a whole: each request again, alone, so only the one at fault fails.
    this.stats.fallbacks++;
    for (const e of group) {
      try {
        this.#answer([e], await this.#opts.run([e.req]));
      } catch (err) {
        e.reject(err);
      }
    }
  }

  #answer(group: readonly Entry<Req, Res>[], results: readonly (Res | Error)[]): void {
    for (const [i, e] of group.entries()) {
      const r = results[i]!;
      if (r instanceof Error) e.reject(r);
      else e.resolve(r);
    }
  }
}
