import { describe, expect, it } from 'vitest';
import { PER_ADDRESS, PER_EMAIL, SignInLimiter, WINDOW_MS } from './rate-limit.js';

describe('the sign-in limiter', () => {
  it('holds back an address after 20 failures within 15 minutes, whatever the emails, until the oldest is 15 minutes old', () => {
    const l = new SignInLimiter();
    const t0 = 1_000_000;
    for (let i = 0; i < PER_ADDRESS; i++) {
      expect(l.refusal(`p${i}@acme.test`, '10.0.0.1', t0 + i * 1000)).toBeNull();
      l.failed(`p${i}@acme.test`, '10.0.0.1', t0 + i * 1000);
    }
    expect(l.refusal('new@acme.test', '10.0.0.1', t0 + 30_000)).toEqual({ by: 'address', retryAfterS: (WINDOW_MS - 30_000) / 1000 });
    // Another address is not held back, nor is the email from elsewhere.
    expect(l.refusal('p0@acme.test', '10.0.0.2', t0 + 30_000)).toBeNull();
    expect(l.refusal('new@acme.test', '10.0.0.1', t0 + WINDOW_MS)).toBeNull();
  });

  it('holds back an email after 5 failures; a right password clears the email\'s count but not the address\'s', () => {
    const l = new SignInLimiter();
    for (let i = 0; i < PER_EMAIL - 1; i++) l.failed('ana@acme.test', `10.0.0.${i}`, i);
    expect(l.refusal('ana@acme.test', '10.9.9.9', 10)).toBeNull();
    l.succeeded('ana@acme.test');
    for (let i = 0; i < PER_EMAIL - 1; i++) l.failed('ana@acme.test', '10.0.0.9', 20 + i);
    expect(l.refusal('ana@acme.test', '10.0.0.9', 30)).toBeNull();
    l.failed('ana@acme.test', '10.0.0.9', 31);
    expect(l.refusal('ana@acme.test', '10.0.0.9', 32)?.by).toBe('email');
  });
});
