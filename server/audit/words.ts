/** How the audit log says things: names in quotes, counts with their noun, short lists. */

/** A name in double quotes: `"Lead scoring"`. */
export const q = (name: string): string => `"${name}"`;

/** `1 contact`, `12 contacts`, `1,234 contacts`. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** `"A"`, `"A" and "B"`, `"A", "B" and 3 more`: at most `max` names. */
export function names(list: readonly string[], max = 3): string {
  const shown = list.slice(0, list.length > max ? max - 1 : max).map(q);
  const rest = list.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : (shown[0] ?? '');
}

/** A value as a summary shows it: text in quotes, nothing as "none". */
export function value(v: unknown): string {
  if (v === undefined || v === null) return 'none';
  if (typeof v === 'string') return q(v);
  return JSON.stringify(v);
}

/** `label "Lead score" → "Score"`. */
export const change = (what: string, from: unknown, to: unknown): string => `${what} ${value(from)} → ${value(to)}`;
