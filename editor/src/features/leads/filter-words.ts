/**
 * A saved list's filters in words ("Owned by me · Hot in Lead score · score fell in the last 30
 * days · Country is PT"), and the contacts page's filter bar read back from a list's condition.
 */
import { describeCondition } from '../../../../engine/conditions.js';
import type { Condition, FieldTest } from '../../../../engine/schema/condition.js';
import { FieldRegistry } from '../../../../engine/schema/field.js';
import { toFieldDef, type FieldInfo } from '../contacts/fields.js';
import type { ListFilters } from './api.js';

/** The filters, one phrase each; `modelName` names a model by id (null when there is only one). */
export function filterWords(filters: ListFilters, fields: readonly FieldInfo[], modelName: (id: string | undefined) => string | null): string[] {
  const out: string[] = [];
  if (filters.owner === 'me') out.push('owned by me');
  else if (filters.owner === null) out.push('owned by nobody');
  else if (typeof filters.owner === 'string') out.push(`owned by ${filters.owner}`);
  if (filters.bracket) {
    const m = modelName(filters.bracket.modelId);
    out.push(`in the bracket ${filters.bracket.bracket}${m ? ` of ${m}` : ''}`);
  }
  if (filters.scoreChange) {
    const { direction, days, modelId } = filters.scoreChange;
    const m = modelName(modelId);
    out.push(`${m ?? 'score'} ${direction} in the last ${days} day${days === 1 ? '' : 's'}`);
  }
  if (filters.condition) {
    const registry = new FieldRegistry(fields.map(toFieldDef));
    // "All of" is what a list's filters are already: each test is a phrase of its own.
    const parts = 'all' in filters.condition ? filters.condition.all : [filters.condition];
    for (const c of parts) out.push(describeCondition(c, registry));
  }
  return out;
}

/** "Owned by me · score fell in the last 30 days", or what a list without filters holds. */
export function filtersSentence(filters: ListFilters, fields: readonly FieldInfo[], modelName: (id: string | undefined) => string | null): string {
  const words = filterWords(filters, fields, modelName);
  if (!words.length) return 'Every contact';
  const text = words.join(' · ');
  return text[0].toUpperCase() + text.slice(1);
}

/**
 * The filter bar's tests for a list's condition (a test, or all of tests; the contacts page's
 * email search is one of them, "Email contains …"). Null when the condition says more than the
 * bar can show (an `any`, a `not`, a nested group).
 */
export function barOf(condition: Condition | undefined): { tests: FieldTest[]; search: string } | null {
  if (!condition) return { tests: [], search: '' };
  const tests = 'all' in condition ? condition.all : [condition];
  if (!tests.every((t): t is FieldTest => 'field' in t && 'op' in t)) return null;
  return { tests, search: '' };
}
