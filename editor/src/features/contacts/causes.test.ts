import { describe, expect, it } from 'vitest';
import { describeCause, NO_NAMES } from './causes.js';

describe('describeCause for changes made by hand', () => {
  it('names the person and quotes their reason', () => {
    expect(describeCause({ api: true, by: { kind: 'person', id: 'p1', name: 'Sam Seller' }, reason: 'Called: budget confirmed' }, NO_NAMES))
      .toBe('by Sam Seller: “Called: budget confirmed”');
  });
  it('names a key or the token as the server names them, with no reason when none was given', () => {
    expect(describeCause({ api: true, by: { kind: 'key', id: 'k1', name: 'API key "CRM sync"' } }, NO_NAMES)).toBe('by API key "CRM sync"');
    expect(describeCause({ api: true, by: { kind: 'token', id: null, name: 'the start-up token' } }, NO_NAMES)).toBe('by the start-up token');
  });
  it('keeps an older API change (no one named) as "API"', () => {
    expect(describeCause({ api: true }, NO_NAMES)).toBe('API');
  });
});
