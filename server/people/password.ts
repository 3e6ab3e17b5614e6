import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords (SPEC §12) are kept as `scrypt$N$r$p$salt$hash` (salt and hash in base64url): scrypt
 * with N = 2^15, r = 8, p = 1 (RFC 7914's interactive-login strength, ~32 MiB and some tens of
 * milliseconds a check), a 16-byte random salt and a 32-byte hash. The parameters are stored with
 * each hash, so stronger ones later still read the old hashes.
 */
const N = 2 ** 15;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

/** The least length of a password, and the most (scrypt takes any length; a megabyte is no password). */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1000;

function derive(password: string, salt: Buffer, n: number, r: number, p: number, length: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; node's default ceiling (32 MiB) is exactly that for N = 2^15, r = 8, and refuses it.
  const opts: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, length, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** The stored form of a new password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, N, R, P, HASH_BYTES);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** A stored form no password matches: checked against when the email is unknown, so the time taken does not tell. */
let decoy: Promise<string> | undefined;

/**
 * Whether `password` is the one `stored` was made from, compared in constant time. `stored` null
 * (no such person) spends the same work on a decoy and answers false.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const against = stored ?? (await (decoy ??= hashPassword(randomBytes(16).toString('hex'))));
  const parts = against.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  if (![n, r, p].every((x) => Number.isSafeInteger(x) && x > 0)) return false;
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  if (!expected.length) return false;
  const got = await derive(password, salt, n, r, p, expected.length);
  return timingSafeEqual(got, expected) && stored !== null;
}

/** A password for someone who was given none (the CLI prints it once): 16 random bytes, 22 characters. */
export function newPassword(): string {
  return randomBytes(16).toString('base64url');
}
