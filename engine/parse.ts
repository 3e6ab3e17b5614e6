import type { z } from 'zod';
import type { Problem } from './elements/types.js';
import { MapDocument } from './schema/map.js';

export type ParseResult = { ok: true; doc: MapDocument } | { ok: false; problems: Problem[] };

/** How deep objects and arrays may nest in a map document: far more than any real map needs. */
export const MAX_JSON_DEPTH = 64;
/** How many objects and arrays a map document may hold (2,000 elements with room to spare). */
const MAX_JSON_NODES = 1_000_000;
/** Past this many problems the rest are summed up in one line: nobody reads a thousand. */
const MAX_PROBLEMS = 100;

type Key = PropertyKey;
type Issue = z.core.$ZodIssue;
/** One problem to word: an issue at an absolute path, or a key zod did not expect. */
type Leaf =
  | { kind: 'issue'; issue: Issue; path: Key[] }
  | { kind: 'unexpected'; path: Key[] }
  | { kind: 'types'; expected: string[]; path: Key[] }
  | { kind: 'shape'; path: Key[]; needs: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const problem = (element: string | null, path: string, message: string): Problem => ({ element, path, message, severity: 'error' });

/** Refuses input too deep or too large to walk safely, without recursion (a 100,000-deep array is fine). */
function refuseHostile(input: unknown): string | null {
  const stack: [unknown, number][] = [[input, 1]];
  let nodes = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (!isObject(v)) continue;
    if (depth > MAX_JSON_DEPTH) {
      return `The map nests objects and lists more than ${MAX_JSON_DEPTH} levels deep; no real map does — check the file`;
    }
    if (++nodes > MAX_JSON_NODES) return 'The map is too large to read';
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) {
      if (isObject(child)) stack.push([child, depth + 1]);
    }
  }
  return null;
}

function valueAt(input: unknown, path: readonly Key[]): unknown {
  let v = input;
  for (const k of path) {
    if (!isObject(v)) return undefined;
    v = (v as Record<Key, unknown>)[k];
  }
  return v;
}

/** The types a union accepts, when its input fits none of them at all (e.g. an object where a value goes). */
function rootTypes(issues: readonly Issue[]): string[] | null {
  if (issues.length !== 1 || issues[0].path.length !== 0) return null;
  const i = issues[0];
  if (i.code === 'invalid_type') return [i.expected];
  if (i.code !== 'invalid_union' || !i.errors.length) return null;
  const all = i.errors.map(rootTypes);
  return all.every((t) => t !== null) ? [...new Set(all.flat() as string[])] : null;
}

/** How badly a union branch misses the input's shape: unexpected or missing keys at its top, or the wrong type. */
function mismatch(issues: readonly Issue[], input: unknown, base: readonly Key[]): { score: number; foreign: boolean } {
  let score = 0;
  let foreign = false;
  for (const i of issues) {
    if (i.path.length === 0 && i.code === 'unrecognized_keys') {
      score += i.keys.length;
      foreign = true;
    } else if (i.path.length === 0 && i.code === 'invalid_type') {
      score += 100;
      foreign = true;
    } else if (i.path.length === 1 && valueAt(input, [...base, ...i.path]) === undefined) score += 1;
  }
  return { score, foreign };
}

function flatten(issue: Issue, base: readonly Key[], input: unknown): Leaf[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ kind: 'unexpected', path: [...path, k] }));
  if (issue.code !== 'invalid_union' || !issue.errors.length) return [{ kind: 'issue', issue, path }];
  const types = rootTypes([{ ...issue, path: [] }]);
  if (types) return [{ kind: 'types', expected: types, path }];
  // Word the branch the input came closest to: fewest top-level misfits, then fewest issues.
  const ranked = issue.errors
    .map((branch) => ({ branch, ...mismatch(branch, input, path) }))
    .sort((a, b) => a.score - b.score || a.branch.length - b.branch.length);
  const best = ranked[0];
  if (best.foreign) {
    // The key each form is missing ("field", "time", "condition") says what the forms are.
    const needs = issue.errors.flatMap((branch) => {
      const missing = branch.find((i) => i.path.length === 1 && valueAt(input, [...path, ...i.path]) === undefined);
      return missing ? [`"${String(missing.path[0])}"`] : [];
    });
    return [{ kind: 'shape', path, needs: [...new Set(needs)] }];
  }
  return best.branch.flatMap((i) => flatten(i, path, input));
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  number: 'a number', int: 'a whole number', string: 'text', boolean: 'true/false',
  object: 'an object', array: 'a list', null: 'null',
};
const orList = (items: readonly string[]) =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}` : items.join('');

function shown(v: unknown): string {
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** The part of a path a person recognizes: `"days"`, or `item 2 of "addTags"`. */
function propertyName(rest: readonly Key[]): string {
  let i = rest.length - 1;
  while (i >= 0 && typeof rest[i] === 'number') i--;
  const items = rest.slice(i + 1).map((n) => Number(n) + 1);
  const key = i >= 0 ? `"${String(rest[i])}"` : 'the map';
  return items.length ? `item ${items.join('.')} of ${key}` : key;
}

/** A discriminated union's "no such kind" issue: which key, and the values it takes. */
function discriminator(issue: Issue): { key: string; options: string[] } | null {
  const i = issue as unknown as Record<string, unknown>;
  if (issue.code !== 'invalid_union' || i.note !== 'No matching discriminator') return null;
  return { key: String(i.discriminator), options: Array.isArray(i.options) ? i.options.map(String) : [] };
}

const isCustom = (message: string) => !/^(Invalid|Too (small|big)|Unrecognized|Expected)/.test(message);

/** What is wrong, in words, after the property's name. */
function predicate(issue: Issue, value: unknown): string {
  const custom = isCustom(issue.message) ? ` — ${issue.message}` : '';
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is missing';
      return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, not ${shown(value)}`;
    case 'invalid_value':
      return `${value === undefined ? 'is missing' : `can't be ${shown(value)}`} — use ${orList(issue.values.map((v) => String(v)))}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? `is empty${custom}` : `is too short (at least ${min} characters)${custom}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `needs at least ${min} item${min === 1 ? '' : 's'}${custom}`;
      if (min === 0 && issue.inclusive) return `can't be negative${custom}`;
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${min}${custom}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `is too long (at most ${max} characters)${custom}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `has too many items (at most ${max})${custom}`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${max}${custom}`;
    }
    case 'invalid_format':
      return custom ? `is not valid${custom}` : `is not a valid ${issue.format === 'regex' ? 'value' : issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union': {
      const d = discriminator(issue);
      return d ? `is missing — use ${orList(d.options)}` : 'is not valid';
    }
    default:
      return `is not valid — ${issue.message}`;
  }
}

const CONDITION_KEYS = new Set(['if', 'where', 'condition', 'not', 'all', 'any']);

function sentence(leaf: Leaf, value: unknown, rest: readonly Key[]): string {
  const name = propertyName(rest);
  switch (leaf.kind) {
    case 'unexpected': {
      const parent = rest.length > 1 ? ` in ${propertyName(rest.slice(0, -1))}` : '';
      return `unexpected property "${String(rest[rest.length - 1])}"${parent}`;
    }
    case 'types':
      return `${name} must be ${orList(leaf.expected.map((t) => TYPE_WORDS[t] ?? t))}, not ${shown(value)}`;
    case 'shape': {
      const keys = rest.filter((k): k is string => typeof k === 'string');
      if (CONDITION_KEYS.has(keys[keys.length - 1] ?? '')) {
        return `${name} is not a condition — use { "all": [...] }, { "any": [...] }, { "not": ... } or a test like { "field": "score", "op": "gte", "value": 50 }`;
      }
      return leaf.needs.length
        ? `${name} is not valid — it needs one of ${orList(leaf.needs)}`
        : `${name} doesn't have any of the forms it can take`;
    }
    case 'issue': {
      const d = discriminator(leaf.issue);
      if (d && value !== undefined) {
        const what = d.key === 'type' && rest.includes('on') ? 'trigger type' : d.key;
        return `unknown ${what} ${shown(value)} — use ${orList(d.options)}`;
      }
      return `${name} ${predicate(leaf.issue, value)}`;
    }
  }
}

/** Who a problem is about: `Element 'wait'` (label, else id, else position), `Field "score"`, or the map. */
function subject(input: unknown, path: readonly Key[]): { who: string; element: string | null; rest: Key[] } {
  const [top, n] = path;
  const item = typeof n === 'number' ? valueAt(input, [top, n]) : undefined;
  const get = (k: string) => (isObject(item) && typeof item[k] === 'string' ? (item[k] as string) : undefined);
  if (top === 'elements' && typeof n === 'number') {
    const id = get('id');
    const label = get('label')?.trim();
    return { who: `Element ${label || id ? `'${label || id}'` : `#${n + 1}`}`, element: id ?? null, rest: path.slice(2) };
  }
  if (top === 'fields' && typeof n === 'number') {
    const key = get('key');
    return { who: `Field ${key ? `"${key}"` : `#${n + 1}`}`, element: null, rest: path.slice(2) };
  }
  return { who: 'The map', element: null, rest: [...path] };
}

function toProblem(leaf: Leaf, input: unknown): Problem {
  const path = leaf.path.map(String).join('.');
  if (leaf.path.length === 0 && leaf.kind === 'issue' && leaf.issue.code === 'invalid_type') {
    return problem(null, path, `A map is a JSON object with a "name" and a list of "elements", not ${shown(input)}`);
  }
  const { who, element, rest } = subject(input, leaf.path);
  const value = valueAt(input, leaf.path);
  if (rest.length === 0 && leaf.kind === 'issue' && leaf.issue.code === 'invalid_type') {
    return problem(element, path, `${who} must be ${TYPE_WORDS[leaf.issue.expected] ?? leaf.issue.expected}, not ${shown(value)}`);
  }
  return problem(element, path, `${who}: ${sentence(leaf, value, rest)}`);
}

/**
 * Reads untrusted JSON into a MapDocument. Every problem names the element (by label, else id) and says
 * what is wrong in words, with its dotted path (`elements.3.for.days`). Input nested more than
 * MAX_JSON_DEPTH levels is refused before the schema sees it, so no input can overflow the stack.
 */
export function parseMapDocument(input: unknown): ParseResult {
  try {
    const hostile = refuseHostile(input);
    if (hostile) return { ok: false, problems: [problem(null, '', hostile)] };
    const result = MapDocument.safeParse(input);
    if (result.success) return { ok: true, doc: result.data };
    const seen = new Set<string>();
    // Like validateMap: the map's own problems first, then the elements' in document order.
    const rank = (path: readonly Key[]) => (path[0] === 'elements' && typeof path[1] === 'number' ? path[1] + 1 : 0);
    const problems = result.error.issues
      .flatMap((i) => flatten(i, [], input))
      .sort((a, b) => rank(a.path) - rank(b.path))
      .map((leaf) => toProblem(leaf, input))
      .filter((p) => !seen.has(p.path + p.message) && seen.add(p.path + p.message));
    if (problems.length > MAX_PROBLEMS) {
      const more = problems.length - (MAX_PROBLEMS - 1);
      return { ok: false, problems: [...problems.slice(0, MAX_PROBLEMS - 1), problem(null, '', `…and ${more} more problems`)] };
    }
    return { ok: false, problems };
  } catch (e) {
    // Getters that throw and other exotic inputs: still an answer, never a crash.
    return { ok: false, problems: [problem(null, '', `The map could not be read: ${e instanceof Error ? e.message : String(e)}`)] };
  }
}
