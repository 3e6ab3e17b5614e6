/** Pure helpers of the model editor: flat conditions, rule ids, problem places in words. */
import type { Condition, FieldTest, PropTest } from '../../../../engine/schema/condition.js';
import type { Problem } from '../maps-list/ProblemList.js';
import type { ModelDoc } from './api.js';
import { checkDegradation } from './degradation-words.js';
import { checkRule } from './rule-words.js';

/** A condition the simple editor can show: tests joined by all or any (one level). */
export interface FlatCondition {
  readonly match: 'all' | 'any';
  readonly tests: readonly (FieldTest | PropTest)[];
}

const isTest = (c: Condition): c is FieldTest | PropTest => 'field' in c || 'prop' in c;

/** The condition as a flat list, or null when it nests deeper (then it is edited as JSON). */
export function flatten(c: Condition | undefined): FlatCondition | null {
  if (!c) return { match: 'all', tests: [] };
  if (isTest(c)) return { match: 'all', tests: [c] };
  if ('all' in c && c.all.every(isTest)) return { match: 'all', tests: c.all as (FieldTest | PropTest)[] };
  if ('any' in c && c.any.every(isTest)) return { match: 'any', tests: c.any as (FieldTest | PropTest)[] };
  return null;
}

/** Back from the flat list: nothing, one test, or all/any of them. */
export function unflatten(f: FlatCondition): Condition | undefined {
  if (!f.tests.length) return undefined;
  if (f.tests.length === 1) return f.tests[0];
  return f.match === 'all' ? { all: [...f.tests] } : { any: [...f.tests] };
}

/** "Visited the pricing page" → "visited-the-pricing-page" (ids are `[A-Za-z0-9_-]{1,64}`). */
export function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'item';
}

/** An id not yet in `taken`: the slug, then slug-2, slug-3, … */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const root = slug(base);
  if (!taken.has(root)) return root;
  for (let i = 2; ; i++) if (!taken.has(`${root}-${i}`)) return `${root}-${i}`;
}

/** The problems about rule `index` (their path is `rules.<index>` or below it), to show beside the rule. */
export function problemsOfRule(problems: readonly Problem[], index: number): Problem[] {
  const head = `rules.${index}`;
  return problems.filter((p) => p.path === head || p.path.startsWith(`${head}.`));
}

/** Where a model problem is, in words: "Rule 3 (Visited any page)", "Bracket 2", "Degradation". */
export function problemPlace(model: ModelDoc, p: Problem): string | null {
  const [head, index] = p.path.split('.');
  if (head === 'rules' && index !== undefined) {
    const rule = model.rules?.[Number(index)];
    return `Rule ${Number(index) + 1}${rule?.label.trim() ? ` (${rule.label.trim()})` : ''}`;
  }
  if (head === 'brackets' && index !== undefined) return `Bracket ${Number(index) + 1}`;
  const names: Record<string, string> = { min: 'Lowest score', max: 'Highest score', degradation: 'Degradation', timezone: 'Time zone', field: 'Score field', name: 'Name', id: 'Id', fields: 'Fields' };
  return names[head] ?? (p.path || null);
}

/** The server's messages start with their path ("min: …"); the place is shown apart, so it goes. */
export function withoutPath(p: Problem): Problem {
  return p.path && p.message.startsWith(`${p.path}: `) ? { ...p, message: p.message.slice(p.path.length + 2) } : p;
}

/**
 * What can be said before asking the server, in words: names and labels given, numbers that are
 * numbers, bounds in order. The server still checks the rest (fields, conditions).
 */
export function checkModel(m: ModelDoc): Problem[] {
  const out: Problem[] = [];
  const say = (path: string, message: string) => out.push({ element: null, path, message, severity: 'error' });
  if (!m.name.trim()) say('name', 'Give the model a name.');
  const [min, max] = [m.min ?? 0, m.max ?? 100];
  if (!Number.isFinite(min) || !Number.isFinite(max)) say('min', 'The lowest and highest scores must be numbers.');
  else if (min >= max) say('min', `The lowest score (${min}) must be below the highest (${max}).`);
  const degradation = checkDegradation(m.degradation);
  if (degradation) say('degradation', degradation);
  (m.rules ?? []).forEach((r, i) => {
    for (const { key, message } of checkRule(r)) say(key ? `rules.${i}.${key}` : `rules.${i}`, message);
  });
  const seen = new Set<string>();
  (m.brackets ?? []).forEach((b, i) => {
    if (!b.name.trim()) say(`brackets.${i}`, 'This bracket has no name.');
    else if (seen.has(b.name.trim().toLowerCase())) say(`brackets.${i}`, `Two brackets are named "${b.name.trim()}".`);
    seen.add(b.name.trim().toLowerCase());
    if (!Number.isFinite(b.min)) say(`brackets.${i}`, 'Its lowest score must be a number.');
  });
  return out;
}

/** A new, empty model writing `field`. */
export function blankModel(id: string, name: string, field: string, newField?: { key: string; label: string }): ModelDoc {
  return {
    id, name, field,
    ...(newField ? { fields: [{ key: newField.key, label: newField.label, type: 'number', decimals: 3 }] } : {}),
    min: 0, max: 100, timezone: 'UTC',
    rules: [],
    brackets: [{ name: 'High', min: 70 }, { name: 'Medium', min: 40 }, { name: 'Low', min: 0 }],
  };
}
