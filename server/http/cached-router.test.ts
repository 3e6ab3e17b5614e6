import { describe, expect, it } from 'vitest';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';
import type { Router } from 'hono/router';
import { setup } from '../routes/testing.js';
import { CACHED_PATHS, CachedRouter } from './cached-router.js';

/** A match as handlers and the parameters each one sees, whatever the router's own layout of them. */
function matched(router: Router<unknown>, method: string, path: string): { handler: unknown; params: Record<string, string> }[] {
  const [handlers, stash] = router.match(method, path);
  return handlers.map(([handler, params]) => ({
    handler,
    params: Object.fromEntries(Object.entries(params as Record<string, string | number>).map(([k, v]) => [k, stash ? stash[v as number]! : (v as string)])),
  }));
}

describe('the remembered router', () => {
  it("matches every path of the app's routes as Hono's own router does, the first time and again", async () => {
    const { app, send } = await setup();
    const plain = new SmartRouter({ routers: [new RegExpRouter(), new TrieRouter()] });
    const cached = new CachedRouter(new SmartRouter({ routers: [new RegExpRouter(), new TrieRouter()] }));
    for (const r of app.routes) {
      plain.add(r.method, r.path, r.handler);
      cached.add(r.method, r.path, r.handler);
    }
    // Each route's path with its parameters filled in twice over, and paths no route has.
    const paths = app.routes.flatMap((r) => [r.path.replace(/:(\w+)/g, 'a-$1'), r.path.replace(/:(\w+)/g, 'b-$1'), r.path.replace(/\*/g, 'x/y')]);
    paths.push('/', '/nothing', '/api/nothing/here', '/api/maps/m1/nothing', '/api/events/', '/api/contacts/%41b');
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
    expect(paths.length).toBeGreaterThan(100);
    let withParams = 0;
    for (const round of [1, 2]) {
      for (const path of paths) {
        for (const method of methods) {
          const want = matched(plain, method, path);
          expect(matched(cached, method, path), `${method} ${path} (round ${round})`).toEqual(want);
          if (want.some((m) => Object.keys(m.params).length)) withParams++;
        }
      }
    }
    expect(withParams).toBeGreaterThan(0);
    // The app itself routes with it: a route with a parameter answers for the value given each time.
    expect(app.router.name).toMatch(/^CachedRouter/);
    for (const id of ['one', 'two', 'one']) expect((await send('GET', `/api/maps/${id}`)).body.error.message).toContain(id);
  });

  it('stays right past the paths it remembers', () => {
    const inner = new TrieRouter<string>();
    inner.add('GET', '/items/:id', 'item');
    const cached = new CachedRouter(inner);
    for (let i = 0; i < CACHED_PATHS * 2 + 7; i++) {
      expect(matched(cached, 'GET', `/items/${i}`), String(i)).toEqual([{ handler: 'item', params: { id: String(i) } }]);
    }
    expect(matched(cached, 'GET', '/items/5')).toEqual([{ handler: 'item', params: { id: '5' } }]);
    expect(matched(cached, 'GET', '/other')).toEqual([]);
  });
});
