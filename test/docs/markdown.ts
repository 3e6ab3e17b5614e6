/**
 * Just enough Markdown for the documentation's checks: the pages, their headings as GitHub anchors
 * them, their links and their fenced code blocks with the comment in front of each.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorCounter, slug } from '../../server/docs/slug.js';
import { isExternal } from '../../server/docs/links.js';

// One spelling of GitHub's anchors and of an external link, shared with the served docs (server/docs/).
export { isExternal, slug };

/** The repository's root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every Markdown file under `dir` (relative to the root), sorted, as root-relative paths. */
export function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(join(ROOT, d))) return;
    for (const name of readdirSync(join(ROOT, d)).sort()) {
      const path = d ? `${d}/${name}` : name;
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (name.endsWith('.md')) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/** The pages whose links are checked: the README, everything under docs/, the templates' README. */
export function documentationPages(): string[] {
  return ['README.md', 'maps/README.md', ...markdownFiles('docs')].filter((p) => existsSync(join(ROOT, p)));
}

export const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** A fenced code block: its info string's first word, its text, its line, and the HTML comment just before it. */
export interface CodeBlock {
  readonly lang: string;
  readonly text: string;
  readonly line: number;
  /** The text of an `<!-- … -->` comment on the line before the fence (blank lines allowed), or null. */
  readonly marker: string | null;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;

/**
 * Splits a page into its prose lines (code blocks blanked out, so line numbers hold) and its fenced
 * code blocks.
 */
export function parseMarkdown(text: string): { prose: string[]; blocks: CodeBlock[] } {
  const lines = text.split('\n');
  const prose: string[] = [];
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) {
      prose.push(lines[i]);
      continue;
    }
    const fence = open[1];
    const start = i;
    const body: string[] = [];
    prose.push('');
    for (i++; i < lines.length; i++) {
      const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
      if (close.test(lines[i])) break;
      body.push(lines[i]);
      prose.push('');
    }
    prose.push('');
    let j = start - 1;
    while (j >= 0 && lines[j].trim() === '') j--;
    const comment = j >= 0 ? /^\s*<!--\s*([\s\S]*?)\s*-->\s*$/.exec(lines[j]) : null;
    blocks.push({ lang: open[2].toLowerCase(), text: body.join('\n'), line: start + 1, marker: comment ? comment[1] : null });
  }
  return { prose, blocks };
}

/** The anchors a page has: its headings' (with -1, -2, … for repeats) and HTML `id`/`name` attributes. */
export function anchorsOf(text: string): Set<string> {
  const { prose } = parseMarkdown(text);
  const anchors = new Set<string>();
  const anchor = anchorCounter();
  for (const line of prose) {
    const h = /^ {0,3}#{1,6}\s+(.*)$/.exec(line);
    if (h) anchors.add(anchor(h[1]));
    for (const m of line.matchAll(/<[a-z]+[^>]*\s(?:id|name)="([^"]+)"/gi)) anchors.add(m[1]);
  }
  return anchors;
}

/** A link found in a page's prose. */
export interface Link {
  readonly target: string;
  readonly line: number;
}

/** The links of a page's prose: inline, images, reference definitions, HTML href/src. Code is left out. */
export function linksOf(text: string): Link[] {
  const { prose } = parseMarkdown(text);
  const links: Link[] = [];
  prose.forEach((raw, i) => {
    const line = raw.replace(/(`+)[\s\S]*?\1/g, (m) => ' '.repeat(m.length));
    for (const m of line.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ target: m[1].replace(/^<|>$/g, ''), line: i + 1 });
    }
    const def = /^ {0,3}\[[^\]]+\]:\s*(\S+)/.exec(line);
    if (def) links.push({ target: def[1].replace(/^<|>$/g, ''), line: i + 1 });
    for (const m of line.matchAll(/\s(?:href|src)="([^"]+)"/g)) links.push({ target: m[1], line: i + 1 });
  });
  return links;
}


export const fromRoot = (abs: string) => relative(ROOT, abs).split('\\').join('/');
