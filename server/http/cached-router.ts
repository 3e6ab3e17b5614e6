import type { Result, Router } from 'hono/router';

/** Distinct method and path pairs remembered; past this the memory starts over (a scan of random paths cannot grow it). */
export const CACHED_PATHS = 1_000;

/**
 * Remembers the routes each method and path matched. The app's routes take parameters in forms
 * Hono's RegExpRouter refuses, so its SmartRouter settles on the TrieRouter, which searches and
 * sorts for every request (about 2.5 KB of garbage a request under the single-event load, issue
 * 20); the same path always matches the same handlers with the same parameters, and Hono's routers
 * take no route once they have matched, so an answer found once holds.
 */
export class CachedRouter<T> implements Router<T> {
  readonly name: string;
  #matched = new Map<string, Result<T>>();

  constructor(readonly inner: Router<T>) {
    this.name = `CachedRouter(${inner.name})`;
  }

  add(method: string, path: string, handler: T): void {
    this.#matched.clear();
    this.inner.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    const key = `${method} ${path}`;
    let result = this.#matched.get(key);
    if (!result) {
      result = this.inner.match(method, path);
      if (this.#matched.size >= CACHED_PATHS) this.#matched = new Map();
      this.#matched.set(key, result);
    }
    return result;
  }
}
