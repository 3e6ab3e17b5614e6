import type { Element } from '../../../../engine/elements/index.js';
import type { Problem } from '../../../../engine/elements/types.js';
import type { Condition } from '../../../../engine/schema/condition.js';

/**
 * A problem's path inside its element. Validation gives `until.field`; a document the schema refused
 * gives `elements.3.until.field`.
 */
export function localPath(path: string): string {
  return path.replace(/^elements\.\d+\.?/, '');
}

/** The message without "Element 'Wait a day': " — the inspector already shows which element it is. */
export function localMessage(message: string): string {
  // "Element 'x': Say what…" loses its subject; "Element 'x' can't be reached" becomes "This element can't…".
  const text = message.replace(/^Element (?:'[^']*'|#\d+)(: | )/, (_, sep: string) => (sep === ' ' ? 'This element ' : ''));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The problems of one element, with local paths and messages. */
export function problemsOf(problems: readonly Problem[], id: string): Problem[] {
  return problems
    .filter((p) => p.element === id)
    .map((p) => ({ ...p, path: localPath(p.path), message: localMessage(p.message) }));
}

/** Whether `path` names a node of the condition (`''` the root, `all.0.not` deeper), so the editor shows it. */
export function conditionHasPath(c: Condition | undefined, path: string): boolean {
  if (!c) return path === '';
  if (path === '') return true;
  const [head, ...rest] = path.split('.');
  if (head === 'not' && 'not' in c) return conditionHasPath(c.not, rest.join('.'));
  if ((head === 'all' && 'all' in c) || (head === 'any' && 'any' in c)) {
    const list = 'all' in c ? c.all : (c as { any: Condition[] }).any;
    const [index, ...deeper] = rest;
    const i = Number(index);
    return Number.isInteger(i) && i >= 0 && i < list.length && conditionHasPath(list[i], deeper.join('.'));
  }
  return false;
}

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`);
const rest = (path: string, prefix: string) => (path === prefix ? '' : path.slice(prefix.length + 1));

/**
 * Whether the element's form shows a problem at `path` beside its input; the rest go in the list
 * under the form. Mirrors what each form renders.
 */
export function shownInForm(el: Element, path: string): boolean {
  if (path === 'label' || path === 'note') return true;
  switch (el.kind) {
    case 'trigger': {
      if (under(path, 'on.where')) return 'where' in el.on && conditionHasPath(el.on.where, rest(path, 'on.where'));
      return ['on', 'on.type', 'on.event', 'on.field', 'on.tag', 'on.offset', 'on.cron', 'on.timezone', 'ifOnMap', 'next'].includes(path);
    }
    case 'update_field':
      return ['field', 'value', 'addTags', 'removeTags', 'next'].includes(path);
    case 'wait': {
      if (under(path, 'until.condition')) {
        const u = el.until;
        return !!u && 'condition' in u && conditionHasPath(u.condition, rest(path, 'until.condition'));
      }
      return ['for', 'until', 'until.field', 'until.offset', 'until.time', 'until.weekdays', 'until.timezone', 'timeout', 'timeoutNext', 'next'].includes(path);
    }
    case 'condition':
      if (under(path, 'if')) return conditionHasPath(el.if, rest(path, 'if'));
      return path === 'then' || path === 'else';
    case 'goto':
      return path === 'target';
    case 'end':
      return false;
    case 'webhook':
      return ['webhook', 'url', 'format', 'message', 'next'].includes(path);
    case 'assign_owner':
      return path === 'owners' || path === 'next';
  }
}
