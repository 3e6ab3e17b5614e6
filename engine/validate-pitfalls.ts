import { kindOf, type Element } from './elements/index.js';
import type { Problem } from './elements/types.js';
import type { Condition, FieldTest } from './schema/condition.js';
import { KNOWN_EVENTS } from './schema/event.js';
import type { FieldRegistry } from './schema/field.js';
import type { MapDocument } from './schema/map.js';
import { compileExpression, type Expr } from './expression/index.js';
import { reachableFrom, stronglyConnected, type Edge } from './validate-graph.js';

/**
 * Pitfalls a map can fall into while every element is valid: settings that run, but not as the
 * person who wrote them meant. Each is a warning on the element, saying what to do instead.
 */

/** Levenshtein distance, stopping early past `max` (event names are short). */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The built-in event type an unknown one is most likely a slip for ("page_visit" → "page_visited"),
 * or undefined when it is far from all of them: then it is a custom event, on purpose.
 */
export function nearestKnownEvent(type: string): string | undefined {
  if (type in KNOWN_EVENTS) return undefined;
  let best: { name: string; d: number } | undefined;
  for (const name of Object.keys(KNOWN_EVENTS)) {
    // A prefix or an extension of a known name ("page_visit", "email_opened_v2") counts as near.
    const d = name.startsWith(type) || type.startsWith(name) ? 1 : distance(type, name, 3);
    const near = d <= Math.min(3, Math.floor(name.length / 4));
    if (near && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

/** The tests a condition needs to pass: those under `all`s (a test inside `any` or `not` may not be needed). */
function requiredTests(c: Condition): FieldTest[] {
  if ('all' in c) return c.all.flatMap(requiredTests);
  if ('any' in c) return c.any.length === 1 ? requiredTests(c.any[0]) : [];
  if ('not' in c) return [];
  return 'field' in c ? [c] : [];
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

/**
 * A field_updated trigger on a date field that also asks for that date to be days in the past:
 * right after the change the date is the new one (Last activity: now), so it never holds.
 */
function staleDateTrigger(el: Element, fields: FieldRegistry): Problem | null {
  if (el.kind !== 'trigger' || el.on.type !== 'field_updated' || !el.on.where) return null;
  const watched = fields.resolve(el.on.field);
  if (!watched || watched.type !== 'date') return null;
  const test = requiredTests(el.on.where).find((t) => t.op === 'on_or_before_days_ago' && fields.resolve(t.field)?.key === watched.key && typeof t.value === 'number' && t.value > 0);
  if (!test) return null;
  const n = test.value as number;
  return {
    element: el.id, path: 'on.where', severity: 'warning',
    message: `This trigger fires the moment ${watched.label} changes, when it has just been set (to now, for ${watched.label === 'Last activity' ? 'every new activity' : 'a new value'}), so "${watched.label} is ${n} or more days ago" can't hold then and no one enters. To act ${days(n)} after ${watched.label}, use the trigger "A date is reached": ${days(n)} after ${watched.label}.`,
  };
}

/** `expr` without the wrappers that keep its sign: round, floor, ceil, min. */
function unwrap(expr: Expr): Expr {
  if (expr.kind === 'call' && (expr.name === 'round' || expr.name === 'floor' || expr.name === 'ceil') && expr.args[0]) return unwrap(expr.args[0]);
  return expr;
}

/**
 * Whether `expr` takes something off the field `key` itself: `[Score] - 2`, `[Score] + -2`. A
 * `max(0, …)` or `clamp` around it is the guard, so it does not count.
 */
export function takesFrom(expr: Expr, key: string): boolean {
  const e = unwrap(expr);
  if (e.kind === 'call' && e.name === 'min') return e.args.some((a) => takesFrom(a, key));
  if (e.kind !== 'binary') return false;
  const isSelf = (x: Expr) => x.kind === 'field' && x.key === key;
  const negative = (x: Expr) => (x.kind === 'number' && x.value < 0) || x.kind === 'unary';
  if (e.op === '-') return isSelf(unwrap(e.left)) || takesFrom(e.left, key);
  if (e.op === '+') return (isSelf(unwrap(e.left)) && negative(e.right)) || (isSelf(unwrap(e.right)) && negative(e.left)) || takesFrom(e.left, key);
  return false;
}

function subtractionBelowZero(el: Element, fields: FieldRegistry): Problem | null {
  if (el.kind !== 'update_field' || typeof el.value !== 'string') return null;
  const f = fields.resolve(el.field);
  if (!f || f.type !== 'number') return null;
  const r = compileExpression(el.value, fields);
  if (!r.ok || !takesFrom(r.expr, f.key)) return null;
  const source = el.value.trim();
  return {
    element: el.id, path: 'value', severity: 'warning',
    message: `${source} can take ${f.label} below 0. To stop at 0, write max(0, ${source})`,
  };
}

function unknownEvent(el: Element): Problem | null {
  if (el.kind !== 'trigger' || el.on.type !== 'event') return null;
  const near = nearestKnownEvent(el.on.event);
  if (!near) return null;
  return {
    element: el.id, path: 'on.event', severity: 'warning',
    message: `"${el.on.event}" is not an event Scoremap knows: did you mean ${near}? An event type must match exactly, or this trigger never fires`,
  };
}

/** Names for a loop in one line: the first few in document order. */
function loopWords(names: readonly string[]): string {
  const shown = names.length > 4 ? [...names.slice(0, 3), `… (${names.length} elements)`] : names;
  return shown.map((n) => (n.startsWith('…') ? n : `'${n}'`)).join(' → ');
}

/**
 * Triggers left at "Stay where they are" on a map whose contacts go round a loop with no way out
 * (a Wait, a step, and back to the Wait): they never leave the map, so such a trigger never takes them again — a reset after 30 quiet
 * days, or the points of a second click, silently never happen. A contact_created trigger fires
 * once per contact anyway.
 */
function stuckTriggers(els: readonly Element[], edges: readonly (readonly Edge[])[], name: (el: Element) => string): Problem[] {
  const triggers = els.flatMap((el, i) => (el.kind === 'trigger' ? [i] : []));
  if (!triggers.length) return [];
  const reached = reachableFrom(triggers, edges);
  const loop = stronglyConnected(edges.map((out) => out.map((e) => e.to)))
    .find((c) => {
      const inLoop = new Set(c);
      const cycles = c.length > 1 || edges[c[0]].some((e) => e.to === c[0]);
      // A loop with a way out (a condition to an End) lets contacts leave: "Stay" may be meant.
      // A loop without a Wait is an instant loop, an error of its own.
      return reached[c[0]] && cycles && c.some((v) => els[v].kind === 'wait') && c.every((v) => edges[v].every((e) => inLoop.has(e.to)));
    });
  if (!loop) return [];
  const words = loopWords([...loop].sort((a, b) => a - b).map((i) => name(els[i])));
  return triggers.flatMap((i) => {
    const el = els[i];
    if (el.kind !== 'trigger' || el.on.type === 'contact_created' || (el.ifOnMap ?? 'ignore') !== 'ignore') return [];
    return [{
      element: el.id, path: 'ifOnMap', severity: 'warning' as const,
      message: `Contacts on this map go round the loop ${words} and never leave it, so with "Stay where they are" this trigger never takes them again once they are on the map. Choose "Start again here" for it to act on them.`,
    }];
  });
}

/**
 * The pitfall warnings of a map whose elements each passed their own checks, by element index.
 * `edges` are the map's connections (from the first element of each id).
 */
export function pitfallWarnings(
  doc: MapDocument,
  fields: FieldRegistry,
  edges: readonly (readonly Edge[])[],
  name: (el: Element) => string,
): { index: number; problem: Problem }[] {
  const out: { index: number; problem: Problem }[] = [];
  doc.elements.forEach((el, index) => {
    for (const p of [unknownEvent(el), staleDateTrigger(el, fields), subtractionBelowZero(el, fields)]) if (p) out.push({ index, problem: p });
  });
  const byId = new Map(doc.elements.map((el, i) => [el.id, i]));
  for (const p of stuckTriggers(doc.elements, edges, name)) out.push({ index: byId.get(p.element!)!, problem: p });
  return out;
}

/** Whether `expr` is the field `key` made smaller: `[F] - 2`, `max(0, [F] - 2)`, `[F] * 0.9`, `round([F] / 2)`. */
export function lowers(expr: Expr, key: string): boolean {
  if (expr.kind === 'call') {
    if (expr.name === 'max' || expr.name === 'min') return expr.args.some((a) => lowers(a, key));
    if (expr.name === 'clamp' || expr.name === 'round' || expr.name === 'floor' || expr.name === 'ceil') return !!expr.args[0] && lowers(expr.args[0], key);
    return false;
  }
  if (expr.kind !== 'binary') return false;
  if (takesFrom(expr, key)) return true;
  const isSelf = (x: Expr) => x.kind === 'field' && x.key === key;
  const num = (x: Expr) => (x.kind === 'number' ? x.value : null);
  const fraction = (x: Expr) => { const n = num(x); return n !== null && n >= 0 && n < 1; };
  if (expr.op === '*') return (isSelf(expr.left) && fraction(expr.right)) || (isSelf(expr.right) && fraction(expr.left));
  if (expr.op === '/') return isSelf(expr.left) && (num(expr.right) ?? 0) > 1;
  return false;
}

/**
 * The fields a map decays, with the elements that do it: an update_field that lowers its own field
 * and runs again and again — inside a loop, or after a schedule trigger. A one-off "−10 on
 * unsubscribe" is not a decay.
 */
export function decayedFields(doc: MapDocument, fields: FieldRegistry): Map<string, Element[]> {
  const els = doc.elements;
  const index = new Map(els.map((el, i) => [el.id, i]));
  const adj = els.map((el) => {
    let outlets: { target?: string }[] = [];
    try {
      outlets = kindOf(el).outlets(el);
    } catch {
      // an element too broken to read has its own error
    }
    return outlets.flatMap((o) => (o.target !== undefined && index.has(o.target) ? [index.get(o.target)!] : []));
  });
  const repeats = new Array<boolean>(els.length).fill(false);
  for (const c of stronglyConnected(adj)) if (c.length > 1 || adj[c[0]].includes(c[0])) for (const v of c) repeats[v] = true;
  const scheduled = els.flatMap((el, i) => (el.kind === 'trigger' && el.on.type === 'schedule' ? [i] : []));
  const fromSchedule = reachableFrom(scheduled, adj.map((out) => out.map((to) => ({ to, path: '', instant: true }))));
  const out = new Map<string, Element[]>();
  els.forEach((el, i) => {
    if (el.kind !== 'update_field' || typeof el.value !== 'string' || !(repeats[i] || fromSchedule[i])) return;
    const f = fields.resolve(el.field);
    if (!f || f.type !== 'number') return;
    const r = compileExpression(el.value, fields);
    if (!r.ok || !lowers(r.expr, f.key)) return;
    out.set(f.key, [...(out.get(f.key) ?? []), el]);
  });
  return out;
}
