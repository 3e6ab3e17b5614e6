import { describe, expect, it } from 'vitest';
import { processWork, type World } from '../cascade.js';
import { compileMap } from '../compile.js';
import { Effects } from '../effects.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../schema/field.js';
import { MapDocument } from '../schema/map.js';
import type { ContactState } from '../state.js';
import { mapFieldRegistry, validateMap } from '../validate.js';
import type { Element } from './index.js';
import { webhook, webhookTargets, type WebhookElement } from './webhook.js';

const known = new FieldRegistry(BUILTIN_FIELDS);
const MESSAGE = '🔥 [First name] [Last name] reached [Score] — [Email]';

/** Notify when the score reaches 75: field_updated → webhook → mark (a tag) → end. */
function notifyDoc(hook: Partial<WebhookElement> = { url: 'https://hooks.slack.com/services/T0/B0/x', format: 'slack', message: MESSAGE }): MapDocument {
  return MapDocument.parse({
    name: 'Notify',
    elements: [
      { id: 'hot', kind: 'trigger', on: { type: 'field_updated', field: 'score', where: { field: 'score', op: 'crossed_above', value: 75 } }, next: 'notify' },
      { id: 'notify', kind: 'webhook', ...hook, next: 'mark' },
      { id: 'mark', kind: 'update_field', field: 'tags', addTags: ['notified'], next: 'done' },
      { id: 'done', kind: 'end' },
    ],
  });
}

function world(doc: MapDocument): World {
  const fields = mapFieldRegistry(doc, known);
  return { maps: [compileMap({ id: 'map-1', version: 3, doc }, fields)], fields };
}

const ann = (score = 70): ContactState => ({
  id: 'ann', fields: { first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com', score }, tags: [], positions: new Map(),
});
const setScore = (score: number) => ({ kind: 'set' as const, values: { score }, cause: { api: true } as never });
const T = Date.UTC(2026, 0, 1, 10);

describe('the webhook element runs', () => {
  it('queues one delivery with the message filled in, and the contact goes on at once in the same move', () => {
    const effects = new Effects();
    const c = ann();
    processWork(world(notifyDoc()), c, setScore(80), T, effects);
    expect(effects.webhooks).toEqual([{
      contactId: 'ann', at: T, mapId: 'map-1', version: 3, elementId: 'notify',
      url: 'https://hooks.slack.com/services/T0/B0/x', format: 'slack',
      message: '🔥 Ann Lee reached 80 — ann@example.com',
    }]);
    // The elements after it ran in the same move: the tag is set and the contact has left the map.
    expect(c.tags).toEqual(['notified']);
    expect(c.positions.get('map-1')).toBeUndefined();
    expect(effects.stats.get('map-1\u0000notify')).toMatchObject({ wereHere: 1, errors: 0 });
  });

  it('queues nothing when the score stays below or was already above', () => {
    const effects = new Effects();
    processWork(world(notifyDoc()), ann(10), setScore(60), T, effects);
    processWork(world(notifyDoc()), ann(90), setScore(95), T, effects);
    expect(effects.webhooks).toEqual([]);
  });

  it('through a subscription, leaves the format to the subscription unless the element sets one', () => {
    const subscription = new Effects();
    processWork(world(notifyDoc({ webhook: 'wh_sales' })), ann(), setScore(80), T, subscription);
    expect(subscription.webhooks).toEqual([{ contactId: 'ann', at: T, mapId: 'map-1', version: 3, elementId: 'notify', webhook: 'wh_sales' }]);

    const slack = new Effects();
    processWork(world(notifyDoc({ webhook: 'wh_sales', format: 'slack', message: 'Hot: [Email]' })), ann(), setScore(80), T, slack);
    expect(slack.webhooks[0]).toMatchObject({ webhook: 'wh_sales', format: 'slack', message: 'Hot: ann@example.com' });
    expect(slack.webhooks[0].url).toBeUndefined();
  });

  it('posts JSON to a URL of its own by default', () => {
    const effects = new Effects();
    processWork(world(notifyDoc({ url: 'https://example.com/hook' })), ann(), setScore(80), T, effects);
    expect(effects.webhooks[0]).toMatchObject({ url: 'https://example.com/hook', format: 'json' });
    expect(effects.webhooks[0].message).toBeUndefined();
  });

  it('stops the contact with an error when it has nowhere to send (a map published around validation)', () => {
    const effects = new Effects();
    processWork(world(notifyDoc({})), ann(), setScore(80), T, effects);
    expect(effects.webhooks).toEqual([]);
    expect(effects.errors).toEqual([expect.objectContaining({ elementId: 'notify', message: expect.stringContaining('nowhere to send') })]);
  });
});

describe('validation of the webhook element', () => {
  const problems = (hook: Partial<WebhookElement>) => validateMap(notifyDoc(hook), known).map((p) => [p.path, p.message]);

  it('passes with a subscription or with an http(s) URL, and a message naming known fields', () => {
    expect(validateMap(notifyDoc(), known)).toEqual([]);
    expect(validateMap(notifyDoc({ webhook: 'wh_1', message: MESSAGE }), known)).toEqual([]);
    expect(validateMap(notifyDoc({ url: 'http://127.0.0.1:9000/in' }), known)).toEqual([]);
  });

  it('needs exactly one of a subscription and a URL', () => {
    expect(problems({})).toEqual([['webhook', "Element 'notify': Say where to send it: pick a webhook, or give a URL of its own"]]);
    expect(problems({ url: '  ' })).toEqual([['url', "Element 'notify': Write the address to post to, like https://hooks.slack.com/services/…"]]);
    expect(problems({ webhook: 'wh_1', url: 'https://example.com' })).toEqual([
      ['url', "Element 'notify': Send through a webhook or to a URL of its own, not both: clear one of them"],
    ]);
  });

  it('refuses a URL that is not absolute http(s), or that carries a password', () => {
    expect(problems({ url: 'hooks.slack.com/services/x' })).toEqual([
      ['url', `Element 'notify': "hooks.slack.com/services/x" is not a URL: write the whole address, like https://hooks.slack.com/services/…`],
    ]);
    expect(problems({ url: 'ftp://example.com/x' })).toEqual([['url', "Element 'notify': The URL must start with https:// or http://, not ftp://"]]);
    expect(problems({ url: 'https://me:secret@example.com/x' })[0][1]).toMatch(/user name and password/);
  });

  it('refuses a message naming an unknown field, at its character; a field the map declares is known', () => {
    expect(problems({ webhook: 'wh_1', message: 'Hot: [Frist name]' })).toEqual([
      ['message', 'Element \'notify\': Unknown field [Frist name] at character 6 — pick one with "Insert field", or write "[[" for a "[" itself'],
    ]);
    const doc = { ...notifyDoc({ webhook: 'wh_1', message: '[Custom Lead Score]' }), fields: [{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number' as const }] };
    expect(validateMap(doc, known)).toEqual([]);
  });

  it('needs to say what happens next', () => {
    const doc = notifyDoc();
    const els = doc.elements.map((el) => (el.id === 'notify' ? { ...el, next: undefined } : el)) as Element[];
    expect(validateMap({ ...doc, elements: els }, known).filter((p) => p.severity === 'error').map((p) => [p.element, p.path])).toContainEqual(['notify', 'next']);
  });

  it('is refused by the map format with a format other than json or slack', () => {
    const raw = { name: 'x', elements: [{ id: 'w', kind: 'webhook', webhook: 'wh_1', format: 'xml', next: 'e' }, { id: 'e', kind: 'end' }] };
    expect(MapDocument.safeParse(raw).success).toBe(false);
  });
});

describe('the webhook element in words', () => {
  const words = (el: Partial<WebhookElement>) => webhook.describe({ id: 'w', kind: 'webhook', ...el }, known);

  it('says where it posts and, shortened, what', () => {
    expect(words({ webhook: 'wh_1', message: MESSAGE })).toBe('Send a webhook: 🔥 [First name] [Last name] reached [Score] — [Email]');
    expect(words({ url: 'https://hooks.slack.com/services/T0/B0/x' })).toBe('Post to hooks.slack.com');
    expect(words({ url: 'https://hooks.slack.com/services/T0/B0/x', message: 'x'.repeat(70) })).toBe(`Post to hooks.slack.com: ${'x'.repeat(59)}…`);
    expect(words({})).toBe('Send a webhook (no target yet)');
  });
});

describe('webhookTargets', () => {
  it('lists the subscription each webhook element sends through, by element id', () => {
    const doc = MapDocument.parse({
      name: 'Two',
      elements: [
        { id: 't', kind: 'trigger', on: { type: 'manual' }, next: 'a' },
        { id: 'a', kind: 'webhook', webhook: 'wh_sales', next: 'b' },
        { id: 'b', kind: 'webhook', url: 'https://example.com', next: 'c' },
        { id: 'c', kind: 'webhook', webhook: 'wh_ops', next: 'd' },
        { id: 'd', kind: 'end' },
      ],
    });
    expect([...webhookTargets(doc)]).toEqual([['a', 'wh_sales'], ['c', 'wh_ops']]);
  });
});
