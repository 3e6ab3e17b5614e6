/**
 * Sign-in rate limiting (SPEC §12): after 5 failed sign-ins for one email, or 20 from one address,
 * within 15 minutes, further attempts are refused until the oldest failure is 15 minutes old.
 * Held in memory by each process: several workers each count their own (docs/people.md says so).
 */
export const WINDOW_MS = 15 * 60 * 1000;
export const PER_EMAIL = 5;
export const PER_ADDRESS = 20;

export class SignInLimiter {
  /** Failure times, oldest first, by `email:<norm>` and `addr:<address>`. */
  readonly #failures = new Map<string, number[]>();

  /** Failures inside the window, oldest first (older ones are dropped). */
  #recent(key: string, now: number): number[] {
    const list = (this.#failures.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
    if (list.length) this.#failures.set(key, list);
    else this.#failures.delete(key);
    return list;
  }

  /**
   * When an attempt may be made, or null when it may now: the seconds to wait and what was hit.
   * Checked before the password is, so a limited attempt costs no scrypt.
   */
  refusal(email: string, address: string, now: number): { retryAfterS: number; by: 'email' | 'address' } | null {
    for (const [key, limit, by] of [[`email:${email}`, PER_EMAIL, 'email'], [`addr:${address}`, PER_ADDRESS, 'address']] as const) {
      const list = this.#recent(key, now);
      if (list.length >= limit) return { retryAfterS: Math.max(1, Math.ceil((list[list.length - limit] + WINDOW_MS - now) / 1000)), by };
    }
    return null;
  }

  /** Counts a failed attempt. */
  failed(email: string, address: string, now: number): void {
    for (const key of [`email:${email}`, `addr:${address}`]) this.#failures.set(key, [...this.#recent(key, now), now]);
    // Bounded: a flood of made-up emails cannot grow the map without end.
    if (this.#failures.size > 100_000) for (const key of [...this.#failures.keys()].slice(0, 50_000)) this.#failures.delete(key);
  }

  /** A right password clears the email's failures (not the address's: one person's success does not vouch for the rest). */
  succeeded(email: string): void {
    this.#failures.delete(`email:${email}`);
  }
}
