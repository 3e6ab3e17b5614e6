import { describe, expect, it } from 'vitest';
import { scoreMap, setup } from '../routes/testing.js';

type Bench = Awaited<ReturnType<typeof setup>>;

async function published(b: Bench, doc: unknown): Promise<string> {
  const created = await b.send('POST', '/api/maps', doc);
  expect(created.status).toBe(201);
  expect((await b.send('POST', `/api/maps/${created.body.map.id}/publish`)).status).toBe(200);
  return created.body.map.id;
}

async function draft(b: Bench, doc: unknown): Promise<string> {
  const created = await b.send('POST', '/api/maps', doc);
  expect(created.status).toBe(201);
  return created.body.map.id;
}

const warningsOf = async (b: Bench, id: string) =>
  ((await b.send('POST', `/api/maps/${id}/validate`)).body.problems as { severity: string; element: string; message: string }[]).filter((p) => p.severity === 'warning');

describe('a field decayed twice', () => {
  it('warns a draft that decays the field a published map decays, in validation and in the publish preview', async () => {
    const b = await setup();
    const first = await published(b, scoreMap('Daily decay'));
    const second = await draft(b, scoreMap('Another decay'));

    const expected = {
      element: 'decay', path: 'value', severity: 'warning',
      message: "Element 'decay': the map 'Daily decay' ('decay') also decays Custom Lead Score, so a contact on both loses points twice over. Keep one decay: remove this one, or stop the other.",
    };
    expect(await warningsOf(b, second)).toEqual([expected]);
    const preview = await b.send('GET', `/api/maps/${second}/publish-preview`);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({ removed: {}, warnings: [expected] });

    // A warning does not block: it publishes, and the first map's own running version is not "another map".
    expect((await b.send('POST', `/api/maps/${second}/publish`)).status).toBe(200);
    expect((await warningsOf(b, first)).map((p) => p.message)).toEqual([expected.message.replace("'Daily decay'", "'Another decay'")]);
    expect((await b.send('GET', `/api/maps/${first}/publish-preview`)).body.warnings).toHaveLength(1);
  });

  it('names a scoring model that degrades the same field', async () => {
    const b = await setup();
    const id = await draft(b, scoreMap());
    expect(await warningsOf(b, id)).toEqual([]);
    const model = await b.send('POST', '/api/scoring-models', {
      id: 'cls', name: 'Lead points', field: 'custom_lead_score', degradation: { percent: 5, every: { days: 30 }, whenInactiveFor: { days: 30 } },
      rules: [{ id: 'click', label: 'Clicked', when: { event: 'email_link_clicked' }, points: 5 }],
    });
    expect(model.status).toBe(201);
    expect((await warningsOf(b, id)).map((p) => p.message)).toEqual([
      "Element 'decay': the scoring model 'Lead points' (5 % every 30 days after 30 days without activity) also decays Custom Lead Score, so a contact on both loses points twice over. Keep one decay: remove this one, or stop the other.",
    ]);
  });

  it('says nothing when the other map only takes points once, or decays another field', async () => {
    const b = await setup();
    await published(b, {
      name: 'Unsubscribed',
      fields: [{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 }],
      elements: [
        { id: 'unsub', kind: 'trigger', on: { type: 'event', event: 'email_unsubscribed' }, next: 'minus' },
        { id: 'minus', kind: 'update_field', field: 'custom_lead_score', value: 'max(0, [Custom Lead Score] - 10)', next: 'done' },
        { id: 'done', kind: 'end' },
      ],
    });
    const other = scoreMap('Other score');
    other.fields = [{ key: 'other_score', label: 'Other Score', type: 'number', decimals: 3 }];
    other.elements = other.elements.map((e) => (e.kind === 'update_field' ? { ...e, field: 'other_score', value: String(e.value).replace('Custom Lead Score', 'Other Score') } : e));
    await published(b, other);
    const id = await draft(b, scoreMap());
    expect(await warningsOf(b, id)).toEqual([]);
  });
});
