import { describe, expect, it } from 'vitest';
import type { Element } from '../../../../engine/elements/index.js';
import { validateMap } from '../../../../engine/validate.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../../../../engine/schema/field.js';
import { conditionHasPath, localMessage, localPath, problemsOf, shownInForm } from './problems.js';

describe('problems in the inspector', () => {
  it('drops the element from paths and messages: the inspector already shows it', () => {
    expect(localPath('elements.3.until.field')).toBe('until.field');
    expect(localPath('until.field')).toBe('until.field');
    expect(localMessage("Element 'Wait a day': 'What happens next?' is empty")).toBe("'What happens next?' is empty");
    expect(localMessage("Element #2: must be an object")).toBe('Must be an object');
    expect(localMessage("Element 'w' can't be reached from any trigger")).toBe("This element can't be reached from any trigger");
  });

  it('finds the nodes of a condition by path', () => {
    const c = { all: [{ field: 'score', op: 'gte' as const, value: 1 }, { not: { any: [] } }] };
    expect(conditionHasPath(c, '')).toBe(true);
    expect(conditionHasPath(c, 'all.1.not')).toBe(true);
    expect(conditionHasPath(c, 'all.2')).toBe(false);
    expect(conditionHasPath(c, 'any.0')).toBe(false);
    expect(conditionHasPath(undefined, '')).toBe(true);
  });

  it('shows each validation problem of a half-made map either in a form or in the list under it', () => {
    const elements: Element[] = [
      { id: 't', kind: 'trigger', on: { type: 'field_updated', field: 'score', where: { all: [{ field: 'score', op: 'has_tag', value: 'x' }] } } },
      { id: 'u', kind: 'update_field', field: 'score', value: '[Score] +', next: 'w' },
      { id: 'w', kind: 'wait', until: { time: '09:00', timezone: 'Mars/Base' }, timeout: { days: 1 } },
      { id: 'c', kind: 'condition', if: { field: 'nope', op: 'eq', value: 1 } },
      { id: 'g', kind: 'goto' },
    ];
    const problems = validateMap({ name: 'm', elements }, new FieldRegistry(BUILTIN_FIELDS));
    const byElement = new Map(elements.map((el) => [el.id, problemsOf(problems, el.id)]));
    const inForm = (id: string, path: string) => shownInForm(elements.find((e) => e.id === id)!, path);
    expect(byElement.get('t')!.map((p) => [p.path, inForm('t', p.path)])).toContainEqual(['on.where.all.0', true]);
    expect(byElement.get('t')!.map((p) => [p.path, inForm('t', p.path)])).toContainEqual(['next', true]);
    expect(byElement.get('u')!.map((p) => [p.path, inForm('u', p.path)])).toContainEqual(['value', true]);
    expect(byElement.get('w')!.map((p) => [p.path, inForm('w', p.path)])).toContainEqual(['until.timezone', true]);
    expect(byElement.get('c')!.map((p) => [p.path, inForm('c', p.path)])).toContainEqual(['if', true]);
    expect(byElement.get('g')!.map((p) => [p.path, inForm('g', p.path)])).toContainEqual(['target', true]);
    // Unreachable-element warnings have no setting to sit beside.
    expect(byElement.get('g')!.filter((p) => p.severity === 'warning').every((p) => !inForm('g', p.path))).toBe(true);
  });

  it('shows every problem of a webhook element beside its setting: target, URL, message, next', () => {
    const elements: Element[] = [
      { id: 't', kind: 'trigger', on: { type: 'manual' }, next: 'a' },
      { id: 'a', kind: 'webhook', message: '[Nobody]', next: 'b' },
      { id: 'b', kind: 'webhook', url: 'ftp://x' },
    ];
    const problems = validateMap({ name: 'm', elements }, new FieldRegistry(BUILTIN_FIELDS));
    const shown = (id: string) => problemsOf(problems, id).filter((p) => p.severity === 'error').map((p) => [p.path, shownInForm(elements.find((e) => e.id === id)!, p.path)]);
    expect(shown('a')).toEqual([['webhook', true], ['message', true]]);
    expect(shown('b')).toEqual([['url', true], ['next', true]]);
  });
});
