import { describe, expect, it } from 'vitest';
import { processWork, type World } from '../cascade.js';
import { compileMap } from '../compile.js';
import { Effects } from '../effects.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../schema/field.js';
import { MapDocument } from '../schema/map.js';
import type { ContactState } from '../state.js';
import { mapFieldRegistry, validateMap } from '../validate.js';
import { assignOwner, assignedOwners, type AssignOwnerElement } from './assign-owner.js';

const known = new FieldRegistry(BUILTIN_FIELDS);
const T = Date.UTC(2026, 0, 1, 10);

/** New contacts enter, get an owner in turn, and a field_updated trigger on Owner tags them. */
function rotationDoc(owners: string[]): MapDocument {
  return MapDocument.parse({
    name: 'Round robin',
    elements: [
      { id: 'new', kind: 'trigger', on: { type: 'contact_created' }, next: 'assign' },
      { id: 'assign', kind: 'assign_owner', owners, next: 'done' },
      { id: 'done', kind: 'end' },
      { id: 'owned', kind: 'trigger', on: { type: 'field_updated', field: 'owner' }, next: 'tag' },
      { id: 'tag', kind: 'update_field', field: 'tags', addTags: ['owned'], next: 'done' },
    ],
  });
}

function world(doc: MapDocument, taken: Record<string, number> = {}): World {
  const fields = mapFieldRegistry(doc, known);
  return { maps: [compileMap({ id: 'map-1', version: 1, doc }, fields)], fields, turns: { taken: (key) => taken[key] ?? 0 } };
}

const contact = (id: string): ContactState => ({ id, fields: { email: `${id}@example.com` }, tags: [], positions: new Map() });

describe('the assign_owner element runs', () => {
  it('gives 7 contacts of one batch the owners in turn, a, b, c, a, b, c, a, and counts 7 turns', () => {
    const w = world(rotationDoc(['A@acme.com', 'b@acme.com', ' c@acme.com ']));
    const effects = new Effects();
    const people = Array.from({ length: 7 }, (_, i) => contact(`p${i}`));
    for (const p of people) processWork(w, p, { kind: 'created' }, T, effects);
    expect(people.map((p) => p.fields.owner)).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a'].map((x) => `${x}@acme.com`));
    expect(effects.turns.get('map-1:assign')).toEqual({ base: 0, taken: 7 });
  });

  it('writes Owner as a change caused by the element, which fires field_updated triggers on Owner', () => {
    const effects = new Effects();
    const ann = contact('ann');
    processWork(world(rotationDoc(['ana@acme.com'])), ann, { kind: 'created' }, T, effects);
    expect(effects.changes.find((c) => c.field === 'owner')).toEqual({
      contactId: 'ann', at: T, field: 'owner', from: null, to: 'ana@acme.com', cause: { map: 'map-1', version: 1, element: 'assign' },
    });
    expect(ann.tags).toEqual(['owned']);
  });

  it('goes on from the count handed out before the batch, modulo the list as it is now', () => {
    // 10 turns given out before (by a list of any length): the next is turn 10, 10 mod 3 = 1 → b.
    const effects = new Effects();
    const ann = contact('ann');
    processWork(world(rotationDoc(['a@acme.com', 'b@acme.com', 'c@acme.com']), { 'map-1:assign': 10 }), ann, { kind: 'created' }, T, effects);
    expect(ann.fields.owner).toBe('b@acme.com');
    expect(effects.turns.get('map-1:assign')).toEqual({ base: 10, taken: 1 });
  });

  it('counts a turn for a contact that already had that owner (no change, no history row); the next contact gets the next person', () => {
    const effects = new Effects();
    const w = world(rotationDoc(['a@acme.com', 'b@acme.com']));
    const ann = { ...contact('ann'), fields: { email: 'ann@example.com', owner: 'a@acme.com' } };
    const bob = contact('bob');
    processWork(w, ann, { kind: 'created' }, T, effects);
    processWork(w, bob, { kind: 'created' }, T, effects);
    expect([ann.fields.owner, bob.fields.owner]).toEqual(['a@acme.com', 'b@acme.com']);
    // Owner did not change for Ann: no history row, no trigger.
    expect(effects.changes.filter((c) => c.field === 'owner').map((c) => c.contactId)).toEqual(['bob']);
  });
});

describe('the assign_owner element is checked', () => {
  const problems = (owners: string[]) =>
    validateMap(rotationDoc(owners), known).filter((p) => p.element === 'assign').map((p) => [p.severity, p.path, p.message.replace("Element 'assign': ", '')]);

  it('asks for at least one email', () => {
    expect(problems([])).toEqual([['error', 'owners', 'List the people who take turns: at least one email']]);
    expect(problems(['  '])).toEqual([['error', 'owners', 'List the people who take turns: at least one email']]);
  });

  it('refuses what is no email, and warns of one listed twice', () => {
    expect(problems(['ana@acme.com', 'ben', 'ANA@acme.com'])).toEqual([
      ['error', 'owners', '"ben" is not an email: write the person\'s address, like ana@acme.com'],
      ['warning', 'owners', 'ana@acme.com is listed twice: they get two turns in every round'],
    ]);
  });

  it('takes at most 100 emails', () => {
    const r = MapDocument.safeParse({ name: 'x', elements: [{ id: 'a', kind: 'assign_owner', owners: Array.from({ length: 101 }, (_, i) => `p${i}@acme.com`) }] });
    expect(r.success).toBe(false);
  });

  it('says what it does in words, and lists its emails lower-cased for the server to check', () => {
    const el = (owners: string[]): AssignOwnerElement => ({ id: 'assign', kind: 'assign_owner', owners });
    expect(assignOwner.describe(el([]), known)).toBe('Assign an owner (no one listed yet)');
    expect(assignOwner.describe(el(['Ana@acme.com']), known)).toBe('Owner = ana@acme.com');
    expect(assignOwner.describe(el(['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io']), known)).toBe('Owner in turn: a@x.io, b@x.io, c@x.io and 1 more');
    expect(assignedOwners(rotationDoc(['Ana@Acme.com ', 'ben@acme.com']))).toEqual(new Map([['assign', ['ana@acme.com', 'ben@acme.com']]]));
  });
});
