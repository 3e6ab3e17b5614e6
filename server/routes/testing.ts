import { afterEach, expect } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import { Store } from '../store/store.js';
import { openTestStore } from '../store/testing.js';
import { Runtime } from '../runtime/runtime.js';
import { createApp } from '../http/app.js';
import { Outbox } from '../webhooks/outbox.js';

/** The token every test app accepts. */
export const TOKEN = 'test-token-123';
/** Where test clocks start: 2026-01-01T00:00:00Z. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

/** How a test sends a request: `json` sets the body and its content type; `token: null` sends none. */
export type CallInit = RequestInit & { json?: unknown };

/**
 * A fresh app on an in-memory database with a manual clock (2026-01-01) and counting ids
 * (`id-1`, `id-2`, …), closed after each test. `call` sends a request with the test token.
 * `logError` sees what the app logs as a bug (a 500, a failed import); by default it is dropped.
 */
export async function setup(opts: { manual?: boolean; maxBodyBytes?: number; templatesDir?: string; logError?: (e: unknown) => void; trustProxy?: boolean } = {}) {
  const store = await openTestStore();
  stores.push(store);
  const clock = new ManualClock(T0);
  let n = 0;
  const rt = await Runtime.create({ store, clock, ids: () => `id-${++n}`, hooks: [new Outbox()] });
  const { app, ops } = createApp({
    rt, token: TOKEN, manualClock: opts.manual === false ? undefined : clock,
    templatesDir: opts.templatesDir ?? 'maps', maxBodyBytes: opts.maxBodyBytes, logError: opts.logError ?? (() => {}), trustProxy: opts.trustProxy,
  });
  const call = (path: string, init: CallInit = {}, token: string | null = TOKEN) => {
    const headers = new Headers(init.headers);
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    return app.request(path, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  };
  /** Sends a request and reads the answer's status and JSON body (null when there is none). */
  const send = async (method: string, path: string, json?: unknown) => {
    const r = await call(path, { method, ...(json === undefined ? {} : { json }) });
    const text = await r.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: r.status, headers: r.headers, body: (text ? JSON.parse(text) : null) as any };
  };
  /** Waits for an answer that must succeed (a status below 300), failing the test with its body otherwise. */
  const ok = async <R extends { status: number; body: unknown }>(p: Promise<R>): Promise<R> => {
    const r = await p;
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    return r;
  };
  return { app, ops, call, send, ok, clock, rt, store };
}

/** JSON texts that no endpoint takes (sent raw: the deep ones would overflow JSON.stringify); every POST and PUT answers them with a 4xx. */
export const GARBAGE: readonly string[] = [
  'null', '[]', '[1,2]', '"text"', '42', 'true', '{}', '{"name":null}', '{"elements":"x"}', '{"rev":1,"map":null}',
  `${'{"a":'.repeat(500)}1${'}'.repeat(500)}`,
  `{"rev":1,"map":${'{"elements":['.repeat(2000)}${']}'.repeat(2000)}}`,
  `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
];

/** The SPEC §2 example: +5 per click (move here), then −2 a day in a loop. Declares `custom_lead_score`. */
export function scoreMap(name = 'Custom Lead Score') {
  return {
    name,
    description: 'Adds points for clicks and takes 2 points a day.',
    fields: [{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 }],
    elements: <Record<string, unknown>[]>[
      { id: 'clicked', kind: 'trigger', label: 'Clicked a link', on: { type: 'event', event: 'email_link_clicked' }, ifOnMap: 'move_here', next: 'add5', position: { x: 0, y: 0 } },
      { id: 'add5', kind: 'update_field', field: 'custom_lead_score', value: '[Custom Lead Score] + 5', next: 'wait' },
      { id: 'wait', kind: 'wait', for: { days: 1 }, next: 'decay' },
      { id: 'decay', kind: 'update_field', field: 'custom_lead_score', value: 'max(0, [Custom Lead Score] - 2)', next: 'loop' },
      { id: 'loop', kind: 'goto', target: 'wait' },
    ],
  };
}

/** A map contacts are added to by hand: they wait a day at `hold`, then leave. */
export function handMap(name = 'Hand picked') {
  return {
    name,
    elements: [
      { id: 'added', kind: 'trigger', on: { type: 'manual' }, next: 'hold' },
      { id: 'hold', kind: 'wait', for: { days: 1 }, next: 'done' },
      { id: 'done', kind: 'end' },
    ],
  };
}
