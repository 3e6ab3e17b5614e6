import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type ServeOptions } from './serve.js';

/** A server a test started: its folder (the SQLite file and the token), and how to stop it and remove the folder. */
export interface TestServer {
  readonly server: RunningServer;
  readonly dir: string;
  close(): Promise<void>;
}

/**
 * Starts the real server in this process for a test: on 127.0.0.1 with a port of its own, a fresh
 * SQLite file in a new temp folder, the manual clock at 2026-01-01 unless `opts` says otherwise,
 * and its log kept quiet.
 */
export async function testServer(name: string, opts: Partial<ServeOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), `scoremap-${name}-`));
  try {
    const server = await startServer({ port: 0, host: '127.0.0.1', db: join(dir, 'scoremap.db'), clock: 'manual', now: Date.parse('2026-01-01T00:00:00Z'), ...opts }, () => {});
    return {
      server,
      dir,
      async close() {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
