import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorsOf, documentationPages, fromRoot, isExternal, linksOf, read, ROOT, slug } from './markdown.js';

/**
 * Links known to be broken in pages this check does not own, as `page:line → target`. Each must
 * still be broken (a fixed one is to be taken off the list), so the list only shrinks.
 */
const KNOWN_BROKEN: readonly string[] = [];

/** What is wrong with one link of `page`, or null when it points at something that exists. */
function problem(page: string, target: string): string | null {
  if (isExternal(target)) return null;
  const hash = target.indexOf('#');
  const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
  const abs = pathPart === '' ? join(ROOT, page) : pathPart.startsWith('/') ? join(ROOT, pathPart) : resolve(ROOT, dirname(page), pathPart);
  const rel = fromRoot(abs);
  if (rel.startsWith('..')) return 'points outside the repository, which a reader who cloned it does not have';
  if (!existsSync(abs)) return `${rel} does not exist`;
  if (anchor === null || anchor === '') return null;
  if (statSync(abs).isDirectory() || !abs.endsWith('.md')) return null;
  const anchors = anchorsOf(read(rel));
  return anchors.has(anchor) ? null : `${rel} has no heading with the anchor #${anchor}`;
}

function brokenLinks(): string[] {
  const out: string[] = [];
  for (const page of documentationPages()) {
    for (const { target, line } of linksOf(read(page))) {
      const why = problem(page, target);
      if (why) out.push(`${page}:${line} → ${target}: ${why}`);
    }
  }
  return out;
}

describe('links in the documentation', () => {
  it('every relative link and #anchor in README.md, maps/README.md and docs/**/*.md points at a file or heading that exists', () => {
    const broken = brokenLinks();
    const key = (b: string) => b.slice(0, b.indexOf(': '));
    const unexpected = broken.filter((b) => !KNOWN_BROKEN.includes(key(b)));
    expect(unexpected, `Broken links:\n${unexpected.join('\n')}`).toEqual([]);
    const fixed = KNOWN_BROKEN.filter((k) => !broken.some((b) => key(b) === k));
    expect(fixed, 'These links work now: take them off KNOWN_BROKEN in test/docs/links.test.ts').toEqual([]);
  });

  it('sends no reader to the specification, which a clone of the repository does not hold', () => {
    const mentions: string[] = [];
    for (const page of documentationPages()) {
      read(page).split('\n').forEach((text, i) => {
        if (/\bSPEC(\.md| ?§)/.test(text)) mentions.push(`${page}:${i + 1}: ${text.trim()}`);
      });
    }
    expect(mentions, 'Say it in the docs instead of pointing at SPEC.md').toEqual([]);
  });

  it('makes anchors as GitHub does', () => {
    expect(slug('Two commands')).toBe('two-commands');
    expect(slug('`update_field` — set a field')).toBe('update_field--set-a-field');
    expect(slug('Do the scores predict anything? Reports, backtests, challengers')).toBe('do-the-scores-predict-anything-reports-backtests-challengers');
    expect(slug('Data in *without* code: [Segment](x.md)')).toBe('data-in-without-code-segment');
    expect([...anchorsOf('# A\n\n## B\n\n```\n# not a heading\n```\n\n## B\n')]).toEqual(['a', 'b', 'b-1']);
  });

  it('finds links in prose, not in code', () => {
    const page = 'See [a](a.md#x), ![b](b.png) and `[c](c.md)`.\n\n```md\n[d](d.md)\n```\n\n[e]: e.md\n<a href="f.md">f</a>\n';
    expect(linksOf(page).map((l) => l.target)).toEqual(['a.md#x', 'b.png', 'e.md', 'f.md']);
  });

  it('refuses a link that leaves the repository or names a missing file or anchor', () => {
    expect(problem('README.md', '../shared/SPEC.md')).toMatch(/outside the repository/);
    expect(problem('README.md', 'docs/no-such-page.md')).toMatch(/does not exist/);
    expect(problem('README.md', 'docs/reference/index.md#no-such-heading')).toMatch(/no heading/);
    expect(problem('README.md', 'docs/reference/index.md#reference')).toBeNull();
    expect(problem('docs/reference/index.md', '#reference')).toBeNull();
    expect(problem('README.md', 'https://example.com/x')).toBeNull();
  });
});
