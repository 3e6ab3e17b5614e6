import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_DOC_PAGES, DOCS, ELEMENT_DOCS, TRIGGER_DOCS, docsUrl, elementDoc } from '../../editor/src/lib/docs.js';
import { anchorsOf, read, ROOT } from './markdown.js';

/** Every .ts/.tsx file of the editor's sources. */
function editorSources(dir = 'editor/src'): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return editorSources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('the editor\'s links to the docs', () => {
  it('names only pages (and headings) that exist under docs/', () => {
    const missing: string[] = [];
    for (const page of ALL_DOC_PAGES) {
      const file = `docs/${page.path}`;
      if (!existsSync(join(ROOT, file))) missing.push(`${file} (the editor's help link "${page.title}") does not exist`);
      else if (page.anchor && !anchorsOf(read(file)).has(page.anchor)) missing.push(`${file} has no heading #${page.anchor} ("${page.title}")`);
    }
    expect(missing, missing.join('\n')).toEqual([]);
  });

  it('sends each element to its kind\'s page, and a trigger to its type\'s', () => {
    expect(elementDoc({ kind: 'wait' })).toBe(ELEMENT_DOCS.wait);
    expect(docsUrl(elementDoc({ kind: 'update_field' }))).toBe('/docs/guide/elements/update-field.md');
    expect(docsUrl(elementDoc({ kind: 'trigger', on: { type: 'field_updated' } }))).toBe('/docs/guide/triggers/field-updated.md');
    expect(docsUrl(DOCS.ruleOptions)).toBe('/docs/scoring.md#rules-and-their-options');
    expect(Object.keys(TRIGGER_DOCS).length).toBe(8);
  });

  it('keeps every docs address in editor/src/lib/docs.ts, so a moved page is changed in one place', () => {
    const stray = editorSources()
      .filter((path) => path !== 'editor/src/lib/docs.ts')
      .flatMap((path) => readFileSync(join(ROOT, path), 'utf8').split('\n').map((line, i) => ({ path, line, n: i + 1 })))
      .filter(({ line }) => /["'`]\/docs\b/.test(line))
      .map(({ path, n, line }) => `${path}:${n}: ${line.trim()}`);
    expect(stray, stray.join('\n')).toEqual([]);
  });
});
