import { describe, expect, it } from 'vitest';
import type { Element } from '../../../../engine/elements/index.js';
import { diffMaps } from '../../../../engine/map-diff.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../../../../engine/schema/field.js';
import type { MapDocument } from '../../../../engine/schema/map.js';
import { diffLines, elementName, nearestSurvivor, targetName } from './publish-words.js';

const fields = new FieldRegistry(BUILTIN_FIELDS);
const map = (elements: Element[]): MapDocument => ({ name: 'Decay', elements });
const running = map([
  { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, next: 'add' },
  { id: 'add', kind: 'update_field', field: 'score', value: '[Score] + 5', next: 'wait' },
  { id: 'wait', kind: 'wait', for: { days: 1 }, next: 'check' },
  { id: 'check', kind: 'condition', if: { field: 'score', op: 'gt', value: 0 }, then: 'decay', else: 'done' },
  { id: 'decay', kind: 'update_field', label: 'Decay', field: 'score', value: 'max(0, [Score] - 2)', next: 'loop' },
  { id: 'loop', kind: 'goto', target: 'wait' },
  { id: 'done', kind: 'end' },
]);
const without = (doc: MapDocument, ...ids: string[]) => map(doc.elements.filter((e) => !ids.includes(e.id)));

describe('nearestSurvivor', () => {
  it('is the first element after the removed one that the draft keeps', () => {
    expect(nearestSurvivor('wait', running, without(running, 'wait'))).toBe('check');
  });

  it('looks further along the connections, both outlets of a condition, nearest first', () => {
    expect(nearestSurvivor('wait', running, without(running, 'wait', 'check'))).toBe('decay');
    expect(nearestSurvivor('wait', running, without(running, 'wait', 'check', 'decay'))).toBe('done');
  });

  it('is null when nothing after it is kept, so the user chooses', () => {
    expect(nearestSurvivor('done', running, without(running, 'done'))).toBeNull();
    const onlyTrigger = map([running.elements[0]]);
    expect(nearestSurvivor('add', running, onlyTrigger)).toBeNull();
  });
});

describe('names in the publish dialog', () => {
  it('tells elements apart by id and says what they do', () => {
    const twin = map([...running.elements, { id: 'wait-2', kind: 'wait', for: { days: 1 }, next: 'check' }]);
    const [a, b] = [twin.elements[2], twin.elements[7]];
    expect(targetName(a, fields, twin)).toBe('wait (Wait 1 day)');
    expect(targetName(b, fields, twin)).toBe('wait-2 (Wait 1 day)');
    expect(targetName(running.elements[4], fields, running)).toBe('Decay (decay) — Score = max(0, [Score] - 2)');
    expect(elementName(running.elements[4], fields, running)).toBe('Decay (decay)');
  });

  it('says what the draft changes', () => {
    const draft = map([
      ...without(running, 'loop').elements.map((e) => (e.id === 'decay' ? { ...e, next: 'done', value: 'max(0, [Score] - 3)' } as Element : e)),
      { id: 'again', kind: 'end' },
    ]);
    expect(diffLines(diffMaps(running, draft), fields, running, draft)).toEqual([
      { title: 'Added 1 element', items: ['again (Leave the map)'] },
      // A go-to's words name its target, as the canvas does.
      { title: 'Removed 1 element', items: [expect.stringMatching(/^loop \(Go to (wait|Wait 1 day)\)$/)] },
      { title: 'Changed 1 element', items: ['Decay (decay): settings, connections'] },
    ]);
  });
});
