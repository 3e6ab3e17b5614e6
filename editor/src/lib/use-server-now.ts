import { useEffect, useState } from 'react';
import { api } from './api.js';

let cached: { offset: number } | null = null;

/**
 * "Now" as the server sees it: a server on a manual clock (demos, tests) lives at another time
 * than the browser, and "3 days ago" must be counted from the server's now. Real-clock servers
 * answer 404 on /api/clock, and the browser's clock is used.
 */
export function useServerNow(): number {
  const [offset, setOffset] = useState(cached?.offset ?? 0);
  useEffect(() => {
    let live = true;
    api<{ now: string }>('/clock').then(
      (r) => { cached = { offset: Date.parse(r.now) - Date.now() }; if (live) setOffset(cached.offset); },
      () => { cached = { offset: 0 }; },
    );
    return () => { live = false; };
  }, []);
  return Date.now() + offset;
}
