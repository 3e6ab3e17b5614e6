import { describe, expect, it } from 'vitest';
import { setup } from './testing.js';

describe('POST /api/scoring-models/recommended', () => {
  it('creates the recommended model in one call, then says it is already there', async () => {
    const { send } = await setup();
    const r = await send('POST', '/api/scoring-models/recommended');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: 'recommended', name: 'Recommended lead score', field: 'score' });
    expect(r.body.rules.length).toBeGreaterThan(3);
    expect((await send('GET', '/api/scoring-models')).body.models).toHaveLength(1);
    const again = await send('POST', '/api/scoring-models/recommended');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('The recommended model is already here: open "Recommended lead score" in Scoring');
  });

  it('answers 404 in words when the server has no templates folder with it', async () => {
    const { send } = await setup({ templatesDir: '/nonexistent' });
    const r = await send('POST', '/api/scoring-models/recommended');
    expect(r.status).toBe(404);
    expect(r.body.error.message).toMatch(/no recommended scoring model/);
  });
});
