import { describe, expect, it } from 'vitest';
import { draftChange, draftEntry, mergeDraftChanges } from './map-changes.js';

const doc = (elements: Record<string, unknown>[], name = 'Welcome') => ({ name, elements });
const trigger = { id: 't', kind: 'trigger', label: 'Signed up', on: { type: 'event', event: 'form_submitted' }, next: 'e', position: { x: 0, y: 0 } };
const end = { id: 'e', kind: 'end', label: 'Done', position: { x: 0, y: 100 } };
const extra = { id: 'x', kind: 'end', label: 'Extra' };

describe('what a run of draft saves says', () => {
  it('an element added then removed in the same run is not mentioned; one changed is, once', () => {
    const at = Date.parse('2026-01-01T00:00:00Z');
    const one = draftChange(doc([trigger, end]), doc([trigger, end, extra]), 2, at)!;
    const two = draftChange(doc([trigger, end, extra]), doc([{ ...trigger, label: 'Signed up!' }, end]), 3, at + 1000)!;
    const three = draftChange(doc([{ ...trigger, label: 'Signed up!' }, end]), doc([{ ...trigger, label: 'Joined' }, end]), 4, at + 2000)!;
    const run = mergeDraftChanges(mergeDraftChanges(one, two), three);
    expect(draftEntry('m', run).summary).toBe('Saved the draft of "Welcome" (3 saves): changed "Joined"');
    expect(run).toMatchObject({ saves: 3, rev: 4, added: [], removed: [], firstAt: '2026-01-01T00:00:00.000Z' });
  });

  it('a move on the canvas alone says so; a save that changes nothing says nothing', () => {
    const moved = draftChange(doc([trigger, end]), doc([{ ...trigger, position: { x: 300, y: 0 } }, end]), 2, 0)!;
    expect(draftEntry('m', moved).summary).toBe('Saved the draft of "Welcome": moved 1 element');
    expect(draftChange(doc([trigger, end]), doc([trigger, end]), 2, 0)).toBeNull();
  });
});
