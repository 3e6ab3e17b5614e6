/**
 * `scoremap worker` as a child process: the benchmark of several workers and the test that kills
 * one mid-batch both start them so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's root: where `bin/scoremap.js` runs from. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** How a worker process ended: its exit code, or the signal that ended it. */
export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A `scoremap worker` started by {@link startWorker}. */
export interface WorkerProcess {
  readonly name: string;
  readonly proc: ChildProcess;
  /** What it printed so far, stdout and stderr together. */
  readonly output: () => string;
  /** What it printed on stderr so far (a healthy worker prints nothing there). */
  readonly errors: () => string;
  /** Resolves once it prints that it is running; rejects if it exits before. */
  readonly started: Promise<void>;
  readonly exited: Promise<WorkerExit>;
  /** SIGTERM (it finishes the batch in hand), then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<WorkerExit>;
}

/** Starts `scoremap worker` on `url`, named `name` in pg_stat_activity (`application_name`). */
export function startWorker(url: string, name: string, extra: readonly string[] = []): WorkerProcess {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  const proc = spawn(process.execPath, ['bin/scoremap.js', 'worker', '--db', u.toString(), ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => {
    out += d;
    err += d;
  });
  const exited = new Promise<WorkerExit>((ok) => proc.once('exit', (code, signal) => ok({ code, signal })));
  const started = new Promise<void>((ok, fail) => {
    proc.stdout!.on('data', () => {
      if (/Scoremap worker is running/.test(out)) ok();
    });
    void exited.then(({ code, signal }) => fail(new Error(`worker ${name} exited (${signal ?? code}) before it started:\n${out}`)));
  });
  // Whoever does not wait for the start (a test that kills the worker) must not hear of it as an unhandled rejection.
  started.catch(() => undefined);
  const stop = async (graceMs = 10_000): Promise<WorkerExit> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      void exited.then(() => clearTimeout(timer));
    }
    return exited;
  };
  return { name, proc, output: () => out, errors: () => err, started, exited, stop };
}
