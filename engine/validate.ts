import type { CheckContext, Outlet, Problem } from './elements/types.js';
import { kindOf, type Element } from './elements/index.js';
import type { MapDocument } from './schema/map.js';
import { BUILTIN_FIELDS, FieldRegistry, type FieldDef, type FieldDefinition, type FieldType } from './schema/field.js';
import { checkCondition, TYPE_WORDS } from './conditions-check.js';
import { compileExpression, type ValueType } from './expression/index.js';
import { instantLoops, reachableFrom, type Edge } from './validate-graph.js';
import { pitfallWarnings } from './validate-pitfalls.js';

/** How messages name an element: its label when it has one, else its id. */
export function elementName(el: { id: string; label?: string }): string {
  return el.label?.trim() ? el.label.trim() : el.id;
}

const sameLabel = (a: string, b: string) => a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const error = (element: string | null, path: string, message: string): Problem => ({ element, path, message, severity: 'error' });

/**
 * The known fields plus those a map (or a scoring model, or a scenario) declares. Built-in fields always count and
 * cannot be replaced; a declaration that clashes with an existing key or label, or repeats one, is left
 * out and reported: creating it would fail.
 */
export function declareFields(
  fields: readonly FieldDefinition[] | undefined,
  known: FieldRegistry,
  owner: 'map' | 'model' | 'scenario' = 'map',
): { registry: FieldRegistry; problems: Problem[] } {
  let registry = new FieldRegistry([...known.all(), ...BUILTIN_FIELDS]);
  const problems: Problem[] = [];
  const declared = new Set<string>();
  (fields ?? []).forEach((d, i) => {
    const path = `fields.${i}`;
    if (declared.has(d.key)) {
      problems.push(error(null, path, `Field "${d.key}" is declared twice in this ${owner}; keep one`));
      return;
    }
    declared.add(d.key);
    const existing = registry.get(d.key);
    if (existing && existing.type !== d.type) {
      problems.push(error(null, path, `Field "${d.key}" already exists as ${existing.type}; this ${owner} declares it as ${d.type}`));
      return;
    }
    const clash = registry.all().find((f) => f.key !== d.key && sameLabel(f.label, d.label));
    if (clash) {
      problems.push(error(null, path, `The label "${d.label}" is already used by the field "${clash.key}"; give "${d.key}" another label`));
      return;
    }
    // An existing field of the same type is used as it is: importing the map keeps it.
    if (existing) return;
    const def: FieldDef = { key: d.key, label: d.label, type: d.type, decimals: d.decimals, default: d.default };
    registry = registry.with([def]);
  });
  return { registry, problems };
}

/** The fields a map can use: the known ones plus the map's declared fields. */
export function mapFieldRegistry(doc: MapDocument, known: FieldRegistry): FieldRegistry {
  return declareFields(doc.fields, known).registry;
}

const VALUE_WORDS: Readonly<Record<ValueType, string>> = { number: 'a number', text: 'text', date: 'a date', boolean: 'true/false' };

/** The CheckContext an element's kind checks itself with; every message names the element. */
function checkContext(el: Element, fields: FieldRegistry, push: (p: Problem) => void): CheckContext {
  const who = `Element '${elementName(el)}'`;
  const problem = (path: string, message: string, severity: 'error' | 'warning' = 'error') =>
    push({ element: el.id, path, message: `${who}: ${message}`, severity });
  return {
    fields,
    problem,
    field(ref, path, types, use) {
      const f = fields.resolve(ref);
      if (!f) return problem(path, `Unknown field "${ref}" — create it, or declare it in the map's fields`);
      if (types && !types.includes(f.type)) {
        const need = types.map((t) => (t === 'tags' ? 'the Tags field' : `a ${t} field`)).join(' or ');
        problem(path, `${capitalize(use ?? 'this')} needs ${need}; ${f.label} is ${TYPE_WORDS[f.type]}`);
      }
    },
    condition(c, path, opts) {
      checkCondition(c, fields, opts ?? {}, (p, m) => problem(p, m), path);
    },
    expression(source, path, target: FieldType) {
      const r = compileExpression(source, fields);
      if (!r.ok) return problem(path, r.error.message);
      if (target === 'tags') return problem(path, 'The Tags field is changed with "add tags" and "remove tags", not a value');
      // A text field takes anything: numbers and dates are written as text.
      if (target !== 'text' && r.type !== target) {
        problem(path, `The value gives ${VALUE_WORDS[r.type]}, but the field needs ${VALUE_WORDS[target]}`);
      }
    },
  };
}

const OUTLET_NAMES: Readonly<Record<string, string>> = {
  next: "'What happens next?'", then: "the 'Yes' branch", else: "the 'No' branch",
  target: 'the go-to', timeoutNext: "'After the timeout'",
};
const outletName = (o: Outlet) => OUTLET_NAMES[o.path] ?? `"${o.path}"`;

function emptyOutletMessage(o: Outlet): string {
  if (o.path === 'target') return 'The go-to has no target — pick the element to continue at';
  return `${capitalize(outletName(o))} is empty — connect it or add an End`;
}

function safely<T>(fallback: T, run: () => T, onError: (message: string) => void): T {
  try {
    return run();
  } catch (e) {
    onError(e instanceof Error ? e.message : String(e));
    return fallback;
  }
}

/**
 * Validates a map (SPEC §2 "Validation"): declared fields, unique ids, at least one trigger, each element's
 * own settings, its connections, reachability from the triggers (a warning) and instant loops — cycles
 * no Wait interrupts, and the pitfalls of `validate-pitfalls.ts`. Unreachable elements and pitfalls are
 * warnings; everything else is an error. Problems come map-level first,
 * then in the document order of the elements; each element's messages name it by label, else by id.
 */
export function validateMap(doc: MapDocument, known: FieldRegistry): Problem[] {
  const { registry, problems: mapLevel } = declareFields(doc.fields, known);
  const els = doc.elements;
  const perElement: Problem[][] = els.map(() => []);
  const who = (i: number) => `Element '${elementName(els[i])}'`;
  const add = (i: number, path: string, message: string) => perElement[i].push(error(els[i].id, path, `${who(i)}: ${message}`));

  const indexOf = new Map<string, number>();
  els.forEach((el, i) => {
    if (indexOf.has(el.id)) add(i, 'id', `Another element already has the id "${el.id}"; ids must be unique`);
    else indexOf.set(el.id, i);
  });
  const isFirst = (i: number) => indexOf.get(els[i].id) === i;
  const triggers = els.flatMap((el, i) => (el.kind === 'trigger' && isFirst(i) ? [i] : []));
  if (!els.some((el) => el.kind === 'trigger')) {
    mapLevel.push(error(null, 'elements', 'A map needs at least one trigger: add one to say who enters the map'));
  }

  const edges: Edge[][] = els.map(() => []);
  els.forEach((el, i) => {
    const fail = (what: string) => (m: string) => add(i, '', `${what} could not be checked (${m})`);
    safely(undefined, () => kindOf(el).check(el, checkContext(el, registry, (p) => perElement[i].push(p))), fail('the settings'));
    const outlets = safely<Outlet[]>([], () => kindOf(el).outlets(el), fail('the connections'));
    for (const o of outlets) {
      if (o.target === undefined || o.target === '') {
        if (o.required) add(i, o.path, emptyOutletMessage(o));
        continue;
      }
      const to = indexOf.get(o.target);
      if (to === undefined) add(i, o.path, `${outletName(o)} leads to "${o.target}", which is not an element of this map`);
      else if (els[to].kind === 'trigger') {
        add(i, o.path, `'${elementName(els[to])}' is a trigger, and a trigger can't be the target of ${outletName(o)}; go to the element after it instead`);
      } else if (isFirst(i)) edges[i].push({ to, path: o.path, instant: o.instant });
    }
  });

  // With no trigger at all, "add a trigger" says it all: one warning per element would only be noise.
  if (triggers.length) {
    const reached = reachableFrom(triggers, edges);
    els.forEach((el, i) => {
      if (!reached[i] && isFirst(i) && el.kind !== 'trigger') {
        perElement[i].push({ element: el.id, path: '', severity: 'warning', message: `${who(i)} can't be reached from any trigger — connect something to it, or delete it` });
      }
    });
  }

  for (const loop of instantLoops(edges)) {
    const named = loop.cycle.map((i) => elementName(els[i]));
    // A long loop is named by its start, so the message stays one readable line.
    const shown = named.length > 10 ? [...named.slice(0, 8), `… (${named.length} elements in all)`] : named;
    const names = [...shown, named[0]].join(' → ');
    const first = loop.cycle[0];
    perElement[first].push({
      element: els[first].id,
      path: loop.path,
      severity: 'error',
      cycle: loop.cycle.map((i) => els[i].id),
      message: `Instant loop: ${names} never passes a Wait, so a contact would go round it forever. Add a Wait to the loop, or end it.`,
    });
  }
  for (const { index, problem } of pitfallWarnings(doc, registry, edges, elementName)) {
    perElement[index].push({ ...problem, message: `${who(index)}: ${problem.message}` });
  }
  return [...mapLevel, ...perElement.flat()];
}
