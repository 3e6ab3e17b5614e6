/**
 * GitHub's heading anchors, one function for the served docs (heading ids) and the docs' link
 * checks (test/docs/markdown.ts), so a `#anchor` that works on the code host works when served.
 */

/** A heading's Markdown source as GitHub renders its text, before it becomes an anchor. */
export function headingText(raw: string): string {
  return raw
    .replace(/\s+#+\s*$/, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^\w])[*_](.+?)[*_](?=[^\w]|$)/g, '$1$2')
    .trim();
}

/** GitHub's anchor for a heading's Markdown source: lower case, punctuation dropped, spaces to hyphens. */
export function slug(text: string): string {
  return headingText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/**
 * Anchors for a page's headings in order: a repeated one gets `-1`, `-2`, … as on GitHub.
 * Call it once per heading, top to bottom.
 */
export function anchorCounter(): (headingSource: string) => string {
  const seen = new Map<string, number>();
  return (source) => {
    const base = slug(source);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n ? `${base}-${n}` : base;
  };
}
