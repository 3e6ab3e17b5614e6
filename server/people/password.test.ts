import { describe, expect, it } from 'vitest';
import { hashPassword, newPassword, verifyPassword } from './password.js';

describe('passwords', () => {
  it('are stored as scrypt$N$r$p$salt$hash with N=2^15, r=8, p=1, a 16-byte salt, and only the same password matches', async () => {
    const stored = await hashPassword('a long enough password');
    const [kind, n, r, p, salt, hash] = stored.split('$');
    expect([kind, n, r, p]).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(salt, 'base64url')).toHaveLength(16);
    expect(Buffer.from(hash, 'base64url')).toHaveLength(32);
    expect(stored).not.toContain('a long enough password');
    expect(await verifyPassword('a long enough password', stored)).toBe(true);
    for (const other of ['a long enough passwor', 'a long enough password ', 'A long enough password', '']) expect(await verifyPassword(other, stored), other).toBe(false);
  });

  it('salts each hash: the same password twice gives two stored forms, both matching', async () => {
    const [a, b] = await Promise.all([hashPassword('same password!'), hashPassword('same password!')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password!', a)).toBe(true);
    expect(await verifyPassword('same password!', b)).toBe(true);
  });

  it('answers false, never throws, for no stored form (an unknown email) and for damaged ones', async () => {
    expect(await verifyPassword('anything at all', null)).toBe(false);
    for (const bad of ['', 'plain', 'scrypt$1$2$3', 'bcrypt$32768$8$1$aa$bb', 'scrypt$x$8$1$aa$bb', 'scrypt$32768$8$1$aa$']) expect(await verifyPassword('x', bad), bad).toBe(false);
  });

  it('reads hashes made with other parameters (they are stored with the hash)', async () => {
    const stored = await hashPassword('keep me working');
    const [, , , , salt] = stored.split('$');
    const { scryptSync } = await import('node:crypto');
    const weaker = `scrypt$1024$8$1$${salt}$${scryptSync('keep me working', Buffer.from(salt, 'base64url'), 32, { N: 1024, r: 8, p: 1 }).toString('base64url')}`;
    expect(await verifyPassword('keep me working', weaker)).toBe(true);
  });

  it('makes new passwords of 22 random characters', () => {
    const a = newPassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(newPassword()).not.toBe(a);
  });
});
