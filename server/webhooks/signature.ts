import { createHmac, randomBytes } from 'node:crypto';

/** Secrets as the Standard Webhooks specification writes them: `whsec_` and the key in base64. */
const PREFIX = 'whsec_';

/** A new random secret (24 bytes, as the specification's reference libraries make). */
export function newSecret(): string {
  return `${PREFIX}${randomBytes(24).toString('base64')}`;
}

/** Why a given secret cannot be used, or null: it must be `whsec_` and 24 to 64 bytes of base64. */
export function secretProblem(secret: string): string | null {
  if (!secret.startsWith(PREFIX)) return 'a secret starts with "whsec_" (the Standard Webhooks form), followed by the key in base64';
  const body = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return 'a secret is "whsec_" followed by base64 (A–Z, a–z, 0–9, +, /)';
  const bytes = Buffer.from(body, 'base64').length;
  if (bytes < 24 || bytes > 64) return `a secret's key has 24 to 64 bytes (this one has ${bytes})`;
  return null;
}

/**
 * The headers that sign a delivery (Standard Webhooks): the message id, the time in seconds, and
 * `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret's key. Receivers check them
 * with the `standardwebhooks` libraries.
 */
export function signatureHeaders(secret: string, id: string, at: number, body: string): Record<string, string> {
  const timestamp = String(Math.floor(at / 1000));
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
