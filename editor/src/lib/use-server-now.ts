import { useEffect, useState } from 'react';
import { api } from './api.js';

let cached: { offset: number } | null = null;

/**
 * "Now" as the server sees it: a server on a manual clock (demos, tests) lives at another time
 * than the browser, and "3 days ago" must be counted from the server's now. A real-clock server
 * says so in the page (`<meta name="scoremap-clock" content="real">`) and the browser's clock is
 * used without asking; a page without the tag (Vite's dev server) asks /api/clock once.
 */
export function useServerNow(): number {
  const [offset, setOffset] = useState(cached?.offset ?? 0);
  useEffect(() => {
    // The server says its clock's kind in the page: a real clock is the browser's, with nothing to ask.
    if (clockKind() === 'real') return;
    let live = true;
    api<{ now: string }>('/clock').then(
      (r) => { cached = { offset: Date.parse(r.now) - Date.now() }; if (live) setOffset(cached.offset); },
      () => { cached = { offset: 0 }; },
    );
    return () => { live = false; };
  }, []);
  return Date.now() + offset;
}

/** The clock's kind as the server wrote it into the page, or null when the page does not say. */
function clockKind(): string | null {
  return document.querySelector('meta[name="scoremap-clock"]')?.getAttribute('content') ?? null;
}
