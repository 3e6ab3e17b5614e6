import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';

/**
 * The API token (SPEC §6): `SCOREMAP_TOKEN` when set, else the one kept in `<dataDir>/token`,
 * else a new random one written there readable by its owner only (like Jupyter's).
 */
export function loadToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): { token: string; source: 'env' | 'file' | 'new' } {
  const fromEnv = env.SCOREMAP_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: 'env' };
  const file = join(dataDir, 'token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token) {
      chmodSync(file, 0o600); // tighten a file someone loosened
      return { token, source: 'file' };
    }
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // the umask may have widened the mode given at creation
  return { token, source: 'new' };
}

/** Compares in constant time: digests of equal length, so neither content nor length leaks. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Refuses every request without `Authorization: Bearer <token>` (401, in words). */
export function requireToken(token: string): MiddlewareHandler {
  return async function bearerToken(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new AppError(401, header ? 'The Authorization header must be "Bearer <token>"' : 'Missing token: send "Authorization: Bearer <token>" (the token is printed when the server starts)');
    }
    if (!tokenMatches(match[1], token)) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new AppError(401, 'Wrong token');
    }
    await next();
  };
}
