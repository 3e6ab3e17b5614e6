/**
 * What the HTTP app needs from the process that runs it: the one file routers and the app both
 * import, so they do not import each other.
 */
import type { ManualClock } from '../../engine/clock.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Sender } from '../webhooks/sender.js';
import type { AddressPolicy } from '../webhooks/post.js';
import type { ApiRouter } from './router.js';

/** What the HTTP app needs from the process that runs it. */
export interface AppDeps {
  readonly rt: Runtime;
  readonly token: string;
  /** Present only in time-skipping mode (`--clock manual`). */
  readonly manualClock?: ManualClock;
  /** The folder of template maps (`maps/`). */
  readonly templatesDir: string;
  /** Largest accepted request body, in bytes (default 32 MiB: 10,000 events or a large CSV). */
  readonly maxBodyBytes?: number;
  readonly version?: string;
  /** Logs an unexpected error (a bug); the client gets a 500 without details. */
  readonly logError?: (e: unknown) => void;
  /** The process's webhook sender (a test send goes through it) and which addresses it may post to. */
  readonly webhooks?: { readonly sender?: Sender; readonly policy?: AddressPolicy };
  /** Believe the nearest reverse proxy's X-Forwarded-For and X-Forwarded-Proto (`--trust-proxy`): see `http/forwarded.ts`. */
  readonly trustProxy?: boolean;
}

/** A router factory: one per resource, mounted under /api. */
export type RouterFactory = (deps: AppDeps) => ApiRouter;

