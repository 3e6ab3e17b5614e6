import { describe, expect, it } from 'vitest';
import { setup } from './testing.js';

describe('POST /api/clock/advance in words', () => {
  it('names the two forms it takes when a body fits neither', async () => {
    const { send } = await setup();
    for (const body of [{}, { seconds: 5 }, { to: '2026-01-31T00:00:00Z', ms: 5 }]) {
      const r = await send('POST', '/api/clock/advance', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message).toBe('The request body is not valid: send { to } or { ms }');
    }
  });

  it('says what a bad value should look like, and moves nothing', async () => {
    const { send } = await setup();
    expect((await send('POST', '/api/clock/advance', { to: 'tomorrow' })).body.error.message)
      .toBe('The request body is not valid: to: a time with its zone, like "2026-01-31T09:00:00Z"');
    expect((await send('POST', '/api/clock/advance', { ms: -1 })).body.error.message)
      .toBe('The request body is not valid: ms: 0 or more: the clock only moves forward');
    expect((await send('GET', '/api/clock')).body.now).toBe('2026-01-01T00:00:00.000Z');
  });

  it('tells a real-clock server how to get a clock that moves by hand', async () => {
    const { send } = await setup({ manual: false });
    const r = await send('GET', '/api/clock');
    expect(r.status).toBe(404);
    expect(r.body.error.message).toMatch(/start it with --clock manual/);
  });
});
