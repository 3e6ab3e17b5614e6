/** A piece of an expression and a line under it with `^` at the place a problem points to. */
export interface CaretExcerpt {
  readonly text: string;
  readonly caret: string;
}

/**
 * The source around `position` (0-based), at most `width` characters with "…" where it was cut, and a
 * caret line pointing at the character — or just past the end, for "expected a value after …".
 * Whitespace shows as spaces so the caret stays in its column in a monospace echo.
 */
export function caretExcerpt(source: string, position: number, width = 36): CaretExcerpt {
  const flat = source.replace(/\s/g, ' ');
  const pos = Math.max(0, Math.min(position, flat.length));
  // One more column than the text: the caret may sit after its last character.
  if (flat.length + 1 <= width) return { text: flat, caret: `${' '.repeat(pos)}^` };
  const room = width - 2; // the two "…" marks
  let start = Math.max(0, pos - Math.floor(room / 2));
  start = Math.min(start, Math.max(0, flat.length + 1 - room));
  const end = Math.min(flat.length, start + room);
  const before = start > 0 ? '…' : '';
  const after = end < flat.length ? '…' : '';
  return { text: `${before}${flat.slice(start, end)}${after}`, caret: `${' '.repeat(before.length + pos - start)}^` };
}
