/**
 * The fuzz test's tools: a seeded random source, mutations of JSON documents and texts, hostile
 * inputs (deep nesting, huge expressions), a digest of the whole database, and a harness that
 * sends requests and checks the three promises of SPEC §6 for bad input: a 4xx with a message
 * (never a 500), nothing written by a refused request, and a server that keeps answering.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { TOKEN, setup } from '../server/routes/testing.js';
import { seededRandom } from '../server/seeded-random.js';

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same cases, so a failure replays. */
export class Rand {
  /** A float in [0, 1). */
  readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = seededRandom(seed);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** A short string of printable ASCII and a few awkward characters. */
  word(max = 12): string {
    const chars = 'abcXYZ019 _-.,;:"\'\\/[]{}()<>%$#@!?*+=\t\n\r\u0000é漢💥';
    return Array.from({ length: 1 + this.int(max) }, () => this.pick([...chars])).join('');
  }
}

/** A stable seed per test, from the run's seed and the test's name. */
export function seedFor(base: number, name: string): number {
  return createHash('sha256').update(`${base}:${name}`).digest().readUInt32LE(0);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Container = Json[] | { [k: string]: Json };

/** Sets an own, enumerable property, even for "__proto__" (an assignment would set the prototype). */
export function setOwn(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Keys that have tripped up JavaScript servers: prototype members, empties, look-alikes. */
export const NASTY_KEYS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then', '', ' ', 'id', 'kind', 'next',
  '$schema', 'length', '0', 'x'.repeat(300), '💥', 'Id', 'ID', 'name ', '\u0000',
];

/** A fresh value chosen to break a parser, a type check or a database column. */
export function weird(r: Rand): unknown {
  switch (r.int(40)) {
    case 0: return null;
    case 1: return true;
    case 2: return false;
    case 3: return 0;
    case 4: return -1;
    case 5: return 1.5;
    case 6: return 1e308;
    case 7: return -1e308;
    case 8: return 5e-324;
    case 9: return 2 ** 53 + 2;
    case 10: return '';
    case 11: return ' ';
    case 12: return r.pick(['NaN', 'Infinity', '-Infinity', '1e999', '-0', '0x10', 'null', 'undefined', 'true', '١٢٣']);
    case 13: return r.pick(['\u0000', '\ud800', '\u202egnp.exe', 'Ünïcödé', '💥💥', '\u200b', 'e\u0301']);
    case 14: return r.pick(['<script>alert(1)</script>', "'; DROP TABLE contacts; --", '../../etc/passwd', '%00', '${7*7}', '{{7*7}}',
      'javascript:alert(1)', 'file:///etc/passwd', 'http://[::1', 'https://user:pw@127.0.0.1/']);
    case 15: return r.pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']);
    case 16: return 'x'.repeat(r.pick([201, 2_001, 10_001, 100_000]));
    case 17: return [];
    case 18: return {};
    case 19: return [null];
    case 20: return [[[]]];
    case 21: {
      const o = {};
      setOwn(o, '__proto__', { polluted: true });
      return o;
    }
    case 22: return { constructor: { prototype: { polluted: true } } };
    case 23: return Array.from({ length: r.pick([201, 1_001, 10_001]) }, (_, i) => i);
    case 24: return r.pick(['2026-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '+275761-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01']);
    case 25: return r.pick(['ann@example.com', 'A@B', '@', 'a@b.c'.repeat(100), 'ANN@EXAMPLE.COM ']);
    case 26: return r.pick([-0.5, 0.1 + 0.2, 123456789.123456, -(2 ** 31), 2 ** 32, 1e21, 1e-7]);
    case 27: return r.pick(['[Score] + 1', '(((', '1 +', '[nope]', 'max()', '"text', 'constructor', 'process.exit()', '"a" * 2',
      '🔥 [First name', '[[', '][', '[Tags] [__proto__]']);
    case 28: return { all: [] };
    case 29: return { field: 'score', op: r.pick(['gt', 'crossed_above', 'has_tag', 'nope', 'in']), value: r.pick([1, 'x', [1], null]) };
    case 30: return { prop: r.pick(['url', 'constructor', '__proto__', '']), op: 'contains', value: 'x' };
    case 31: return { days: r.pick([1, -1, 1e308, 'one', 0]) };
    default: return r.word(r.pick([3, 12, 40]));
  }
}

/** Every container in a document with the key or index leading to it from its parent. */
function containers(root: Json): { node: Container; key: string | number | null; parent: Container | null }[] {
  const out: { node: Container; key: string | number | null; parent: Container | null }[] = [];
  const stack: { node: Json; key: string | number | null; parent: Container | null }[] = [{ node: root, key: null, parent: null }];
  while (stack.length) {
    const item = stack.pop()!;
    const { node } = item;
    if (node === null || typeof node !== 'object') continue;
    out.push({ node, key: item.key, parent: item.parent });
    if (Array.isArray(node)) node.forEach((v, i) => stack.push({ node: v, key: i, parent: node }));
    else for (const k of Object.keys(node)) stack.push({ node: node[k], key: k, parent: node });
  }
  return out;
}

const REF_KEYS = new Set(['next', 'then', 'else', 'target', 'timeoutNext']);

/** Element ids in a map-like document, to wire references into cycles and dead ends. */
function elementIds(doc: Json): string[] {
  const els = doc && typeof doc === 'object' && !Array.isArray(doc) ? doc.elements : undefined;
  return Array.isArray(els) ? els.flatMap((e) => (e && typeof e === 'object' && !Array.isArray(e) && typeof e.id === 'string' ? [e.id] : [])) : [];
}

/** One mutation in place somewhere in the document; answers what it did, for failure messages. */
function mutateOnce(doc: Json, r: Rand): string {
  const all = containers(doc);
  if (!all.length) return 'nothing to mutate';
  const { node } = r.pick(all);
  const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
  const get = (k: string | number) => (node as Record<string | number, Json>)[k];
  const set = (k: string | number, v: unknown) => (Array.isArray(node) ? (node[k as number] = v as Json) : setOwn(node, String(k), v));
  const k = keys.length ? r.pick(keys) : null;
  switch (r.int(10)) {
    case 0: // drop a key or an item
      if (k === null) break;
      if (Array.isArray(node)) node.splice(k as number, 1);
      else delete node[k as string];
      return `drop ${k}`;
    case 1: // add a key, nasty or not
      if (Array.isArray(node)) {
        node.push(weird(r) as Json);
        return 'push weird';
      } else {
        const key = r.chance(0.5) ? r.pick(NASTY_KEYS) : r.word(8);
        set(key, weird(r));
        return `add ${JSON.stringify(key)}`;
      }
    case 2: // change a value's type
      if (k === null) break;
      {
        const v = get(k);
        const swapped = typeof v === 'string' ? (Number.isNaN(Number(v)) ? 42 : Number(v))
          : typeof v === 'number' ? String(v)
            : typeof v === 'boolean' ? String(v)
              : Array.isArray(v) ? Object.fromEntries(v.map((x, i) => [i, x]))
                : v && typeof v === 'object' ? Object.values(v) : 'null';
        set(k, swapped);
        return `retype ${k}`;
      }
    case 3: // duplicate an item: duplicate ids, duplicate rules
      if (Array.isArray(node) && node.length) {
        node.push(clone(r.pick(node)));
        return 'duplicate item';
      }
      break;
    case 4: { // rewire a reference: a cycle, a self-loop or a dead end
      const ids = elementIds(doc);
      const refKey = keys.find((x) => typeof x === 'string' && REF_KEYS.has(x));
      if (refKey !== undefined) {
        const to = r.pick([...ids, 'nope', '', 'constructor', '__proto__']);
        set(refKey, to);
        return `rewire ${refKey} → ${to}`;
      }
      break;
    }
    case 5: // near-miss text: case, spaces, suffix
      if (k !== null && typeof get(k) === 'string') {
        const s = get(k) as string;
        const to = r.pick([s.toUpperCase(), ` ${s} `, `${s}x`, s.slice(1), `${s}\u0000`, s.repeat(50)]);
        set(k, to);
        return `near-miss ${k}`;
      }
      break;
    case 6: // an extreme number
      if (k !== null) {
        set(k, r.pick([1e308, -1e308, -1, 0, 0.5, 2 ** 53 + 1, 1e-300, 10_001, 100_000]));
        return `number at ${k}`;
      }
      break;
  }
  if (k === null) return 'nothing';
  set(k, weird(r));
  return `weird at ${k}`;
}

/** A mutated copy of a document: one to four mutations, now and then the whole document replaced. */
export function mutate(doc: unknown, r: Rand): { doc: unknown; what: string } {
  if (r.chance(0.03)) return { doc: weird(r), what: 'replaced' };
  const copy = clone(doc) as Json;
  const what: string[] = [];
  for (let n = 1 + r.int(4); n > 0; n--) what.push(mutateOnce(copy, r));
  return { doc: copy, what: what.join('; ') };
}

/** A mutated JSON text: cut, a character dropped or added, a slice repeated, junk around it. */
export function mutateText(text: string, r: Rand): string {
  const at = r.int(text.length + 1);
  switch (r.int(8)) {
    case 0: return text.slice(0, at);
    case 1: return text.slice(0, at) + text.slice(at + 1);
    case 2: return text.slice(0, at) + r.pick([...'{}[]",:\\0-.e', '\u0000', 'NaN', 'undefined', '//', '/*']) + text.slice(at);
    case 3: return text.slice(0, at) + text.slice(at, at + 20).repeat(3) + text.slice(at);
    case 4: return `\ufeff${text}`;
    case 5: return `${text}${r.pick(['}', ']', ',', ' x', '\u0000', '{}'])}`;
    case 6: return text.replace(/"/g, "'");
    default: return text.replace(/:/, '=');
  }
}

/** `{ "all": [ … ] }` (or any / not) nested `depth` times around a field test, as text (too deep for JSON.stringify's taste). */
export function deepCondition(depth: number, kind: 'all' | 'any' | 'not' | 'mixed', r: Rand): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const k = kind === 'mixed' ? r.pick(['all', 'any', 'not'] as const) : kind;
    open += k === 'not' ? '{"not":' : `{"${k}":[`;
    close = (k === 'not' ? '}' : ']}') + close;
  }
  return `${open}{"field":"score","op":"gt","value":1}${close}`;
}

/** Expressions no parser should choke on: 1 MB long, 100,000 brackets deep, and their just-under-the-limit cousins. */
export const HUGE_EXPRESSIONS: readonly string[] = [
  `${'('.repeat(100_000)}1${')'.repeat(100_000)}`,
  `${'1+'.repeat(500_000)}1`,
  `"${'x'.repeat(1_000_000)}"`,
  `[${'x'.repeat(1_000_000)}]`,
  `${'('.repeat(999)}1${')'.repeat(999)}`,
  `${'-'.repeat(1_999)}1`,
  `${'max('.repeat(399)}1${')'.repeat(399)}`,
  `${'1+'.repeat(999)}1`,
  `${'abs(-'.repeat(333)}1${')'.repeat(333)}`,
];

/** A request the harness sends. */
export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: string | Uint8Array | ReadableStream<Uint8Array>;
  /** Content type and other headers; the token is added unless `authorization` is given. */
  readonly headers?: Record<string, string>;
}

/** What a case must get: `reject` a 4xx; `any` a 2xx or a 4xx (never a 5xx); `read` like any, and nothing written. */
export type Outcome = 'reject' | 'any' | 'read';

const excerpt = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
const bodyText = (b: FuzzRequest['body']) => (typeof b === 'string' ? b : b instanceof Uint8Array ? `<${b.length} bytes>` : b ? '<stream>' : '');

/** A digest of every table's rows (in a fixed order) and the schema, plus the fields the engine has in memory. */
export async function databaseDigest(t: Awaited<ReturnType<typeof setup>>): Promise<string> {
  const hash = createHash('sha256');
  const db = t.store.db;
  const pg = t.store.dialect.name === 'postgres';
  const schema = pg
    ? await sql<{ name: string; sql: string }>`
        select table_name as name, string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position) as sql
        from information_schema.columns where table_schema = current_schema() group by table_name
        union all select indexname, indexdef from pg_indexes where schemaname = current_schema() order by 1`.execute(db)
    : await sql<{ name: string; sql: string | null }>`select name, sql from sqlite_master order by type, name`.execute(db);
  hash.update(JSON.stringify(schema.rows));
  const tables = pg
    ? (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() order by 1`.execute(db)).rows
    : schema.rows.filter((x) => x.sql?.startsWith('CREATE TABLE'));
  for (const { name } of tables) {
    const rows = await sql`select * from ${sql.table(name)}`.execute(db);
    hash.update(name).update(JSON.stringify(rows.rows.map((r) => JSON.stringify(r)).sort()));
  }
  hash.update(JSON.stringify(t.rt.world.fields.all()));
  return hash.digest('hex');
}

/**
 * Sends fuzz cases to an in-process app and checks each answer: a 5xx or a bug logged fails; a 4xx
 * must carry `{ error: { message } }` and leave the database as it was. Messages name the seed
 * and the case, so `FUZZ_SEED=<seed>` replays a failure.
 */
export class Harness {
  cases = 0;
  /** How many answers had each status: a run that only ever sees 400 is not exploring much. */
  readonly statuses = new Map<number, number>();
  #t!: Awaited<ReturnType<typeof setup>>;
  #digest = '';
  readonly #logged: unknown[] = [];

  private constructor(
    readonly rand: Rand,
    readonly name: string,
    private readonly baseSeed: number,
    private readonly init: (h: Harness) => Promise<void>,
    private readonly maxBodyBytes: number,
  ) {}

  /**
   * Opens a fresh app and runs `init` on it (creating fields, contacts, maps the cases need). Its cases
   * come from a seed made of the run's `baseSeed` and `name`, so `FUZZ_SEED=<baseSeed>` replays them.
   */
  static async open(name: string, baseSeed: number, init: (h: Harness) => Promise<void> = async () => {}, maxBodyBytes = 4 * 1024 * 1024): Promise<Harness> {
    const h = new Harness(new Rand(seedFor(baseSeed, name)), name, baseSeed, init, maxBodyBytes);
    await h.reset();
    return h;
  }

  get t(): Awaited<ReturnType<typeof setup>> {
    return this.#t;
  }

  /** A fresh database (the old one grows with every accepted case). */
  async reset(): Promise<void> {
    this.#t = await setup({ maxBodyBytes: this.maxBodyBytes, logError: (e) => this.#logged.push(e) });
    await this.init(this);
    this.#digest = await databaseDigest(this.#t);
  }

  /** Where a failure says it happened. */
  where(req: FuzzRequest, note = ''): string {
    return `[fuzz "${this.name}" FUZZ_SEED=${this.baseSeed} case ${this.cases}${note ? ` ${note}` : ''}] ${req.method} ${excerpt(req.path, 200)} ${excerpt(bodyText(req.body))}`;
  }

  /** A setup request that must succeed (2xx); not counted as a case. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async must(method: string, path: string, json?: unknown): Promise<any> {
    const r = await this.#t.send(method, path, json);
    expect(r.status, `${this.name} setup: ${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    return r.body;
  }

  /** Sends one case and checks its answer; answers the status and the parsed body. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async send(req: FuzzRequest, outcome: Outcome, note = ''): Promise<{ status: number; body: any }> {
    this.cases++;
    const headers = new Headers(req.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${TOKEN}`);
    const res = await this.#t.app.request(req.path, { method: req.method, headers, body: req.body as BodyInit | undefined, ...(req.body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
    const text = await res.text();
    this.statuses.set(res.status, (this.statuses.get(res.status) ?? 0) + 1);
    try {
      return await this.#check(req, note, res, text, outcome);
    } catch (e) {
      // FUZZ_DUMP=<file> keeps the whole failing request, which the message can only excerpt.
      if (process.env.FUZZ_DUMP) writeFileSync(process.env.FUZZ_DUMP, JSON.stringify({ ...req, body: bodyText(req.body) }, null, 2));
      throw e;
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async #check(req: FuzzRequest, note: string, res: Response, text: string, outcome: Outcome): Promise<{ status: number; body: any }> {
    const where = this.where(req, note);
    expect(this.#logged, `${where}: the server logged an unexpected error`).toEqual([]);
    expect(res.status, `${where}: answered ${res.status} ${excerpt(text, 300)}`).toBeLessThan(500);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let body: any = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        if (res.status >= 400 || /json/.test(res.headers.get('content-type') ?? '')) expect.fail(`${where}: the answer is not JSON: ${excerpt(text)}`);
      }
    }
    const after = await databaseDigest(this.#t);
    if (res.status >= 400) {
      expect(typeof body?.error?.message, `${where}: a refusal without { error: { message } }: ${excerpt(text)}`).toBe('string');
      expect(body.error.message.length, `${where}: an empty message`).toBeGreaterThan(0);
      expect(after, `${where}: refused with ${res.status} "${excerpt(body.error.message)}" but the database changed`).toBe(this.#digest);
    } else if (outcome === 'reject') {
      expect.fail(`${where}: accepted with ${res.status} what must be refused: ${excerpt(text)}`);
    } else if (outcome === 'read') {
      expect(after, `${where}: a read changed the database`).toBe(this.#digest);
    }
    this.#digest = after;
    return { status: res.status, body };
  }

  /** The server still answers, and nothing reached Object.prototype. */
  async stillServing(): Promise<void> {
    const r = await this.#t.call('/api/health');
    expect(r.status, `[fuzz "${this.name}" FUZZ_SEED=${this.baseSeed}] health after ${this.cases} cases`).toBe(200);
    expect(({} as Record<string, unknown>).polluted, 'Object.prototype was polluted').toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  }
}
