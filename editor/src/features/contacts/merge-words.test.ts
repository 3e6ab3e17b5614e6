import { describe, expect, it } from 'vitest';
import { contactName, mergeLines, type MergeSummary } from './merge-words.js';

const base: MergeSummary = {
  from: 'v-1', into: 'ana', anonymous: false, fields: [], tagsAdded: [], eventsMoved: 0, historyMoved: 0,
  score: { field: 'score', label: 'Score', before: 40, after: 40, added: 0 }, scores: [], mapsLeft: [],
};
const names = { master: 'Ana', other: 'Visitor v-1' };

describe('mergeLines', () => {
  it('says the master keeps its score, what it takes, what moves and that the duplicate goes', () => {
    expect(mergeLines({
      ...base, fields: [{ field: 'company', label: 'Company', value: 'Acme' }, { field: 'country', label: 'Country', value: 'PT' }, { field: 'company_size', label: 'Company size', value: 120 }],
      tagsAdded: ['webinar'], eventsMoved: 12, historyMoved: 1,
      mapsLeft: [{ mapId: 'n', mapName: 'Nurture', element: 'hold', elementLabel: 'A day' }],
    }, names)).toEqual([
      'Keeps Ana’s Score of 40.',
      'Takes Company = Acme, Country = PT and Company size = 120.',
      'Adds the tag webinar.',
      'Moves 12 events and 1 history entry to Ana.',
      'Takes Visitor v-1 off the map Nurture (at A day).',
      'Deletes Visitor v-1: its id (v-1) will answer “not found”.',
    ]);
  });

  it('says an anonymous visitor\'s points are added, per score field, and a score the fields change', () => {
    const lines = mergeLines({
      ...base, anonymous: true,
      scores: [
        { field: 'score', label: 'Score', before: 5, after: 15, added: 10 },
        { field: 'fit', label: 'Fit score', before: null, after: 10, added: 0 },
      ],
    }, names);
    expect(lines.slice(0, 3)).toEqual([
      'Adds the 10 points Visitor v-1 earned while anonymous to Ana’s Score of 5: 5 → 15.',
      'Keeps Ana’s Fit score of 0; the fields it takes change it to 10.',
      'Takes no field values: Ana has every field Visitor v-1 has.',
    ]);
  });
});

describe('contactName', () => {
  it('is the name, else the email, else the id', () => {
    expect(contactName({ id: 'a', fields: { first_name: 'Ana', last_name: 'Lima', email: 'ana@x.com' } })).toBe('Ana Lima');
    expect(contactName({ id: 'a', fields: { email: 'ana@x.com' } })).toBe('ana@x.com');
    expect(contactName({ id: 'v-1', fields: {} })).toBe('contact v-1');
  });
});
