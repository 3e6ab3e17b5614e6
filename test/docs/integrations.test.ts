import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { setup, TOKEN } from '../../server/routes/testing.js';
import { newSecret, signatureHeaders } from '../../server/webhooks/signature.js';
import { parseMarkdown, read, ROOT, type CodeBlock } from './markdown.js';

/**
 * The integration pages' HTTP examples, run as written against a fresh app. Markers, on the line
 * before a block:
 * - `<!-- check: curl -->`: every `curl` line of the ```sh block is sent to the app (the origin of
 *   its URL dropped), in order, each after the page's earlier blocks; its answer must be a success,
 *   and must hold the JSON that a trailing `# {…}` comment shows. `NAME=value` lines set variables,
 *   and `TOKEN=$(cat data/token)` reads the app's token;
 * - `<!-- check: file=x -->`: a block saved as `x` for a `--data @x` (as are the blocks that
 *   `validate: … file=x` names);
 * - `<!-- check: verify -->`, `receiver`, `payload` (docs/integrations/webhooks.md): the receivers
 *   that check signatures, run on a delivery signed as Scoremap signs.
 */

/** The blocks of a page marked `<!-- check: name -->`. */
function marked(page: string, name: string): CodeBlock[] {
  return parseMarkdown(read(page)).blocks.filter((b) => b.marker === `check: ${name}`);
}

/** The page's blocks saved under a file name, by name. */
function filesOf(page: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of parseMarkdown(read(page)).blocks) {
    const m = /(?:^check:|^validate:\s*[a-z-]+)\s+file=(\S+)\s*$/.exec(b.marker ?? '');
    if (m) out.set(m[1], `${b.text}\n`);
  }
  return out;
}

/** A command line split as a POSIX shell splits it: quotes kept together, `$NAME` expanded outside single quotes. */
export function shellWords(line: string, vars: Readonly<Record<string, string>>): string[] {
  const expand = (s: string) => s.replace(/\$\{?([A-Za-z_]\w*)\}?/g, (_, name: string) => {
    if (!(name in vars)) throw new Error(`$${name} is not set`);
    return vars[name];
  });
  const words: string[] = [];
  for (const m of line.matchAll(/(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"]+)+/g)) {
    let word = '';
    for (const part of m[0].matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|([^\s'"]+)/g)) {
      if (part[1] !== undefined) word += part[1];
      else if (part[2] !== undefined) word += expand(part[2].replace(/\\(.)/g, '$1'));
      else word += expand(part[3]);
    }
    words.push(word);
  }
  return words;
}

/** A line's text and its trailing `# comment` (a `#` after a space, outside quotes). */
function splitComment(line: string): { code: string; comment: string } {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return { code: line.slice(0, i).trim(), comment: line.slice(i + 1).trim() };
  }
  return { code: line.trim(), comment: '' };
}

/** The JSON a comment begins with (`{"accepted":1}: and words after it`), or undefined. */
function answerIn(comment: string): unknown {
  if (!/^[{[]/.test(comment)) return undefined;
  for (let end = comment.length; end > 0; end--) {
    if (!/[}\]]/.test(comment[end - 1])) continue;
    try {
      return JSON.parse(comment.slice(0, end));
    } catch {
      // a shorter prefix may be the JSON
    }
  }
  return undefined;
}

/** A curl command as the app is sent it. */
export interface CurlRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Headers;
  readonly body?: string;
}

/** Reads the words of a curl command; `file` reads a `@name` body. Refuses an option it does not know. */
export function curlRequest(words: readonly string[], file: (name: string) => string): CurlRequest {
  const headers = new Headers();
  const data: string[] = [];
  const query: string[] = [];
  let method: string | null = null;
  let get = false;
  let url: string | null = null;
  const dataOf = (v: string) => (v.startsWith('@') ? file(v.slice(1)).replace(/\n$/, '') : v);
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    const next = () => {
      if (i + 1 >= words.length) throw new Error(`curl ${w} needs a value`);
      return words[++i];
    };
    if (w === '-s' || w === '-S' || w === '-sS') continue;
    else if (w === '-G') get = true;
    else if (w === '-H') {
      const h = next();
      headers.set(h.slice(0, h.indexOf(':')).trim(), h.slice(h.indexOf(':') + 1).trim());
    } else if (w === '-X') method = next();
    else if (w === '-u') headers.set('authorization', `Basic ${Buffer.from(next()).toString('base64')}`);
    else if (w === '-d' || w === '--data' || w === '--data-binary' || w === '--data-raw') data.push(w === '--data-raw' ? next() : dataOf(next()));
    else if (w === '--data-urlencode') {
      const v = next();
      const eq = v.indexOf('=');
      query.push(eq < 0 ? encodeURIComponent(v) : `${v.slice(0, eq)}=${encodeURIComponent(v.slice(eq + 1))}`);
    } else if (w.startsWith('-')) throw new Error(`this check does not know curl's ${w}`);
    else if (url === null) url = w;
    else throw new Error(`a second URL: ${w}`);
  }
  if (url === null) throw new Error('curl without a URL');
  const u = new URL(url);
  const params = get ? [...data, ...query] : query;
  const search = [u.search.slice(1), ...params].filter(Boolean).join('&');
  if (!headers.has('content-type') && data.length && !get) headers.set('content-type', 'application/x-www-form-urlencoded');
  return {
    method: method ?? (data.length && !get ? 'POST' : 'GET'),
    path: `${u.pathname}${search ? `?${search}` : ''}`,
    headers,
    body: data.length && !get ? data.join('&') : undefined,
  };
}

type App = Awaited<ReturnType<typeof setup>>;

/**
 * Runs a page's `check: curl` blocks in order against `app`. `vars` start the shell's variables;
 * `literal` replaces placeholders a reader fills in (`CONTACT_ID`), asked when a line names one,
 * with the answers so far (what a reader copies from an earlier answer). Answers how many it sent.
 */
async function runCurlBlocks(page: string, app: App, vars: Record<string, string>, literal: Record<string, (answers: readonly unknown[]) => Promise<string>>) {
  const files = filesOf(page);
  const file = (name: string) => files.get(name) ?? readFileSync(resolve(ROOT, name), 'utf8');
  const blocks = marked(page, 'curl');
  expect(blocks.length, `${page} has no block marked <!-- check: curl -->`).toBeGreaterThan(0);
  const answers: unknown[] = [];
  for (const block of blocks) {
    const lines = block.text.replace(/\\\n\s*/g, '').split('\n');
    for (const raw of lines) {
      const { code, comment } = splitComment(raw.replace(/^\s*\$\s+/, ''));
      if (!code) continue;
      const where = `${page}:${block.line}: ${code}`;
      const token = /^(\w+)=\$\(cat data\/token\)$/.exec(code);
      if (token) {
        vars[token[1]] = vars.TOKEN_FILE;
        continue;
      }
      const assign = /^(\w+)=(\S+)$/.exec(code);
      if (assign) {
        vars[assign[1]] = shellWords(assign[2], vars)[0];
        continue;
      }
      let line = code;
      for (const [name, value] of Object.entries(literal)) if (line.includes(name)) line = line.split(name).join(await value(answers));
      const words = shellWords(line, vars);
      if (words[0] !== 'curl') throw new Error(`${where}: only curl lines and variables can be checked`);
      const req = curlRequest(words, file);
      const r = await app.app.request(req.path, { method: req.method, headers: req.headers, body: req.body });
      const text = await r.text();
      expect(r.status, `${where} answered ${r.status}: ${text}`).toBeLessThan(300);
      const expected = answerIn(comment);
      if (expected !== undefined) expect(JSON.parse(text), where).toMatchObject(expected as object);
      answers.push(text ? JSON.parse(text) : null);
    }
  }
  return answers.length;
}

/** Makes a key of `scope` with the app's token; answers its secret. */
async function keyOf(app: App, scope: 'read' | 'ingest' | 'admin'): Promise<string> {
  const r = await app.ok(app.send('POST', '/api/keys', { name: `docs ${scope}`, scope }));
  return r.body.secret;
}

describe('docs/integrations: the HTTP examples, run as written', () => {
  it('events-api.md: make a key, send events (a resend counted once), import a CSV, read scores with a read key', async () => {
    const app = await setup();
    const page = 'docs/integrations/events-api.md';
    // The page says c-123 is "the id of a contact you already have".
    await app.ok(app.send('POST', '/api/contacts', { id: 'c-123', fields: { email: 'cy@example.com' } }));
    const ann = async () => {
      const r = await app.ok(app.send('GET', `/api/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'ann@example.com' }))}`));
      return r.body.contacts[0].id as string;
    };
    const vars = { TOKEN_FILE: TOKEN, INGEST_KEY: await keyOf(app, 'ingest'), READ_KEY: await keyOf(app, 'read') };
    const sent = await runCurlBlocks(page, app, vars, { CONTACT_ID: ann });
    expect(sent).toBeGreaterThanOrEqual(7);

    // What the page says the import and the events did.
    const contact = (await app.ok(app.send('GET', `/api/contacts/${await ann()}`))).body;
    expect(contact.fields).toMatchObject({ email: 'ann@example.com', first_name: 'Ann', job_title: 'CEO', company_size: 120 });
    expect([...contact.tags].sort()).toEqual(['customer', 'newsletter']);
    const history = (await app.ok(app.send('GET', `/api/contacts/${await ann()}/history`))).body.history;
    expect(JSON.stringify(history)).toContain('"id":"order-1042"');
    // A read key reads and changes nothing.
    const refused = await app.call('/api/contacts', { method: 'POST', json: { fields: { email: 'x@example.com' } } }, vars.READ_KEY);
    expect(refused.status).toBe(403);
  });

  it('segment.md: a track call sent with curl and an ingest key as the HTTP Basic user becomes an event', async () => {
    const app = await setup();
    const ingest = await keyOf(app, 'ingest');
    const sent = await runCurlBlocks('docs/integrations/segment.md', app, {}, { 'sm_…': async () => ingest });
    expect(sent).toBe(1);
    const list = (await app.ok(app.send('GET', `/api/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'external_id', op: 'eq', value: 'u-42' }))}`))).body;
    expect(list.contacts).toHaveLength(1);
    const history = (await app.ok(app.send('GET', `/api/contacts/${list.contacts[0].id}/history`))).body.history;
    expect(JSON.stringify(history)).toContain('"type":"purchase"');
  });

  it('keys.md: make a read key, list, rename and use it, revoke it; make an ingest key for two origins', async () => {
    const app = await setup();
    const page = 'docs/integrations/keys.md';
    // The reader copies the id and the secret from the first answer, as the page's comments show.
    let secret = '';
    const made = (answers: readonly unknown[]) => answers[0] as { key: { id: string }; secret: string };
    const sent = await runCurlBlocks(page, app, { TOKEN_FILE: TOKEN }, {
      '<id>': async (answers) => made(answers).key.id,
      'sm_Xq3v9TbA…': async (answers) => (secret = made(answers).secret),
    });
    expect(sent).toBe(6);
    // The key was used while it lived, and is refused once revoked.
    expect(secret).toMatch(/^sm_/);
    expect((await app.call('/api/contacts', {}, secret)).status).toBe(401);
    const keys = (await app.ok(app.send('GET', '/api/keys'))).body.keys as { name: string; scope: string; origins: string[] }[];
    // Revoked keys are gone from the list; the ingest key lists both origins.
    expect(keys.map((k) => [k.name, k.scope, k.origins])).toEqual([['Website', 'ingest', ['https://www.example.com', 'https://shop.example.com']]]);
  });

  it('webhooks.md: making a webhook with curl answers its secret', async () => {
    const app = await setup();
    expect(await runCurlBlocks('docs/integrations/webhooks.md', app, { TOKEN_FILE: TOKEN }, {})).toBe(1);
    const list = (await app.ok(app.send('GET', '/api/webhooks'))).body;
    expect(JSON.stringify(list)).toContain('https://crm.example.com/hooks/scoremap');
  });
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The one block of docs/integrations/webhooks.md marked `name`. */
function webhooksBlock(name: string): string {
  const found = marked('docs/integrations/webhooks.md', name);
  expect(found.length, `docs/integrations/webhooks.md has no block marked <!-- check: ${name} -->`).toBe(1);
  return found[0].text;
}

/** A folder for a receiver, where `import … from 'standardwebhooks'` finds the checkout's packages. */
function receiverDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scoremap-receiver-'));
  dirs.push(dir);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const freePort = () => new Promise<number>((done, fail) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => done(port));
  }).on('error', fail);
});

describe('docs/integrations/webhooks.md: the receivers check signatures as Scoremap makes them', () => {
  const body = () => JSON.stringify(JSON.parse(webhooksBlock('payload')));

  it('the few lines without a library accept a delivery Scoremap signed, and refuse a changed body, another secret and an old one', async () => {
    const dir = receiverDir();
    writeFileSync(join(dir, 'verify.mjs'), `${webhooksBlock('verify')}\nexport { verified };\n`);
    const { verified } = (await import(pathToFileURL(join(dir, 'verify.mjs')).href)) as { verified: (s: string, h: Record<string, string>, b: string) => boolean };
    const secret = newSecret();
    const now = signatureHeaders(secret, 'msg_1', Date.now(), body());
    expect(verified(secret, now, body())).toBe(true);
    expect(verified(secret, now, body().replace('"to":18', '"to":99'))).toBe(false);
    expect(verified(newSecret(), now, body())).toBe(false);
    expect(verified(secret, signatureHeaders(secret, 'msg_1', Date.now() - 10 * 60_000, body()), body())).toBe(false);
    // Several signatures (a secret being rotated): one that matches is enough.
    expect(verified(secret, { ...now, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${now['webhook-signature']}` }, body())).toBe(true);
  });

  it('the receiver with the standardwebhooks library answers 204 to a signed delivery and 401 to a forged one', async () => {
    const dir = receiverDir();
    writeFileSync(join(dir, 'receiver.mjs'), webhooksBlock('receiver'));
    const secret = newSecret();
    const port = await freePort();
    const child = spawn(process.execPath, ['receiver.mjs'], { cwd: dir, env: { ...process.env, PORT: String(port), SCOREMAP_WEBHOOK_SECRET: secret }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    try {
      const post = (headers: Record<string, string>) => fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body() });
      // Wait for the receiver to listen (a condition, not a time).
      await expect.poll(async () => {
        if (child.exitCode !== null) throw new Error(`the receiver stopped: ${out}`);
        return post({}).then((r) => r.status, () => 0);
      }, { interval: 100 }).toBe(401);
      const signed = await post(signatureHeaders(secret, 'msg_2', Date.now(), body()));
      expect(signed.status, out).toBe(204);
      expect((await post(signatureHeaders(newSecret(), 'msg_3', Date.now(), body()))).status).toBe(401);
      await expect.poll(() => out).toContain('score.changed ann@example.com');
    } finally {
      child.kill();
    }
  });
});
