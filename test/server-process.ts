import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's root: where `bin/scoremap.js` runs from. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The API token the servers started here use. */
export const TOKEN = 'process-test-token';

/** `scoremap serve` running as a child process. */
export interface ServerProcess {
  readonly proc: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** What it printed so far (stdout and stderr). */
  readonly output: () => string;
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
}

/** An answer of the API: the status and the parsed JSON body (undefined when empty). */
export interface ApiAnswer<T = any> {
  readonly status: number;
  readonly body: T;
}

/**
 * Starts `scoremap serve` on a free port of 127.0.0.1 with a manual clock at `now`; resolves once
 * it prints its URL and clock. Every server started here is in `running` until it exits, so a
 * test's `afterEach` can SIGKILL what is left.
 */
export async function startServer(db: string, now: string, env: Record<string, string> = { SCOREMAP_TOKEN: TOKEN }): Promise<ServerProcess> {
  const proc = spawn(process.execPath, ['bin/scoremap.js', 'serve', '--port', '0', '--db', db, '--clock', 'manual', '--now', now], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
  const server = { proc, base: '', output: () => out, exited };
  running.add(server);
  void exited.then(() => running.delete(server));
  const base = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 30_000);
    proc.stdout!.on('data', () => {
      const m = /running: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m && /\n {2}clock /.test(out)) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return Object.assign(server, { base });
}

/** The servers started here that have not exited yet. */
export const running = new Set<ServerProcess>();

/** SIGKILLs every server still running (an `afterEach` fallback) and waits for them to exit. */
export async function killAll(): Promise<void> {
  const left = [...running];
  for (const s of left) s.proc.kill('SIGKILL');
  await Promise.all(left.map((s) => s.exited));
}

/** Kills a server with SIGKILL (no clean shutdown) and resolves once it has exited. */
export async function kill(s: ServerProcess): Promise<void> {
  s.proc.kill('SIGKILL');
  await s.exited;
}

/** Stops a server with SIGTERM and answers its exit code. */
export async function stop(s: ServerProcess): Promise<number | null> {
  s.proc.kill('SIGTERM');
  return s.exited;
}

/** Calls the API with the token: GET without a body, POST with one unless `method` says otherwise. */
export async function api<T = any>(s: ServerProcess, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<ApiAnswer<T>> {
  const r = await fetch(`${s.base}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** Like {@link api}, but any status other than 2xx throws with the answer. */
export async function ok<T = any>(s: ServerProcess, path: string, body?: unknown, method?: string): Promise<T> {
  const r = await api<T>(s, path, body, method);
  if (r.status < 200 || r.status > 299) throw new Error(`${method ?? (body === undefined ? 'GET' : 'POST')} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
