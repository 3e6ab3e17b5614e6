import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, killAll, ok, startServer, stop, type ServerProcess } from './server-process.js';

/**
 * The real server process while a big wave of due work runs (issue 15): before, a clock advance of
 * 30 days over 400 contacts on an hourly loop left the server deaf for 84 s — a health check got
 * ECONNRESET, a second advance an empty 408. Now due work runs in slices and every request is
 * answered in JSON while it runs. Order, never time, is asserted: what must come first does.
 */
let s: ServerProcess;
beforeAll(async () => {
  s = await startServer(`${mkdtempSync(`${tmpdir()}/scoremap-load-`)}/scoremap.db`, '2026-01-01T00:00:00Z');
});
afterAll(async () => {
  if (s.proc.exitCode === null) expect(await stop(s)).toBe(0);
  await killAll();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const num = (key: string) => ({ key, label: key.replace(/_/g, ' '), type: 'number' });

async function publish(doc: object): Promise<string> {
  const { map } = await ok(s, '/maps', doc);
  await ok(s, `/maps/${map.id}/publish`, {});
  return map.id;
}

/** Settles `p` and says whether it settled before `other`. */
function first(p: Promise<unknown>, other: Promise<unknown>): Promise<boolean> {
  return Promise.race([p.then(() => true), other.then(() => false)]);
}

describe('the server during a long clock advance', () => {
  it('answers health checks, events and reads while it runs, a second advance after it, all in JSON; the event lands in time order', async () => {
    const loop = await publish({
      name: 'Hourly', fields: [num('ticks')], elements: [
        { id: 'start', kind: 'trigger', on: { type: 'manual' }, next: 'wait' },
        { id: 'wait', kind: 'wait', for: { hours: 1 }, next: 'tick' },
        { id: 'tick', kind: 'update_field', field: 'ticks', value: '[ticks] + 1', next: 'again' },
        { id: 'again', kind: 'goto', target: 'wait' },
      ],
    });
    await publish({
      name: 'Clicks', fields: [num('clicked_at_tick')], elements: [
        { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, next: 'mark' },
        { id: 'mark', kind: 'update_field', field: 'clicked_at_tick', value: '[ticks]', next: 'done' },
        { id: 'done', kind: 'end' },
      ],
    });
    const ids = Array.from({ length: 300 }, (_, i) => `p${String(i).padStart(3, '0')}`);
    await ok(s, '/contacts/import?wait=true', { contacts: ids.map((id) => ({ id, fields: { ticks: 0 } })) });
    await ok(s, `/maps/${loop}/contacts`, { contactIds: ids });

    const advance = api(s, '/clock/advance', { ms: 10 * DAY }); // 300 contacts × 240 wakes
    // The clock follows the slices: once it has moved, the advance is under way.
    for (;;) {
      const clock = await api(s, '/clock');
      expect(clock.status).toBe(200);
      if (Date.parse(clock.body.now) > T0 + HOUR) break;
    }
    const last = ids[ids.length - 1];
    const during = Promise.all([
      api(s, '/health'),
      api(s, '/events', { id: 'click-1', contact: { id: last }, type: 'email_link_clicked' }),
      api(s, `/contacts/${ids[0]}`),
    ]);
    expect(await first(during, advance)).toBe(true);
    const [health, event, read] = await during;
    expect(health).toMatchObject({ status: 200, body: { ok: true } });
    expect(event).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, created: 0 } });
    expect(read.status).toBe(200);

    const second = api(s, '/clock/advance', { ms: DAY });
    const [a, b] = await Promise.all([advance, second]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(Date.parse(b.body.now)).toBeGreaterThanOrEqual(T0 + 10 * DAY);

    // The click saw every tick due before it arrived and none after; all history is in time order.
    const { history } = await ok(s, `/contacts/${last}/history?limit=500`);
    const times = history.map((h: { at: string }) => Date.parse(h.at)).reverse();
    expect(times).toEqual([...times].sort((x: number, y: number) => x - y));
    const click = history.find((h: { field: string }) => h.field === 'clicked_at_tick');
    expect(click.to).toBe(Math.floor((Date.parse(click.at) - T0) / HOUR));
    const end = Date.parse(b.body.now);
    for (const id of [ids[0], last]) expect((await ok(s, `/contacts/${id}`)).fields.ticks).toBe(Math.floor((end - T0) / HOUR));
  });
});

describe('what is not a request the API can read', () => {
  it('is answered in JSON words, not an empty body', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(s.base).port), '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write('NOT HTTP AT ALL\r\n\r\n');
    });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(body).error.message).toMatch(/not valid HTTP/);
  });
});
