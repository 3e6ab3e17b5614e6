/**
 * The database going away under a running server (PostgreSQL restarting, a network cut): requests
 * are answered 503 in words, nothing crashes, and the server works again when the database does.
 * The database is reached through a TCP proxy the test cuts and restores (PostgreSQL half only).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import { Store } from '../store/store.js';
import { onPostgres, testDatabase } from '../store/testing.js';
import { Runtime } from '../runtime/runtime.js';
import { createApp } from './app.js';

/** A proxy to the database's port that can be cut (every connection dropped, no new ones) and restored. */
class Proxy {
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    this.#server = createServer((client) => {
      const upstream = connect(this.target);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((ok) => this.#server!.listen(this.port, '127.0.0.1', ok));
    this.port = (this.#server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((ok) => this.#server!.close(() => ok()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe.skipIf(!onPostgres)('the database going away under a running server', () => {
  it('answers 503 in words while it is gone, crashes nothing, and works again when it is back', async () => {
    const direct = new URL(testDatabase());
    const proxy = new Proxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    await proxy.open();
    cleanup.push(() => proxy.cut().catch(() => undefined));
    const viaProxy = new URL(direct);
    viaProxy.port = String(proxy.port);
    const store = await Store.open(viaProxy.toString());
    cleanup.push(() => store.close());
    const rt = await Runtime.create({ store, clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')) });
    const logged: unknown[] = [];
    const { app } = createApp({ rt, token: 't', templatesDir: 'maps', logError: (e) => logged.push(e) });
    const send = (path: string, body?: unknown) => app.request(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const event = { id: 'evt-1', contact: { email: 'ann@example.com' }, type: 'email_opened' };

    expect((await send('/api/contacts')).status).toBe(200);
    await proxy.cut();
    for (const r of [await send('/api/contacts'), await send('/api/events', event)]) {
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect((await r.json()).error.message).toMatch(/^The database is not answering \(.+\); nothing was changed by this request: try again in a moment$/);
    }
    expect(logged).toEqual([]); // not a bug: nothing logged as one

    await proxy.open(); // the same port again
    const back = await send('/api/events', event);
    expect(back.status).toBe(200);
    expect(await back.json()).toEqual({ accepted: 1, duplicates: 0, created: 1 });
    expect((await (await send('/api/events', event)).json()).duplicates).toBe(1);
  });
});
