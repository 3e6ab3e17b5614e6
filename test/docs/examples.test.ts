import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../engine/elements/index.js';
import { TriggerOn } from '../../engine/elements/trigger.js';
import { Element } from '../../engine/elements/index.js';
import { parseMapDocument } from '../../engine/parse.js';
import { validateMap } from '../../engine/validate.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../../engine/schema/field.js';
import { Condition } from '../../engine/schema/condition.js';
import { EventInput } from '../../engine/schema/event.js';
import { readModel } from '../../server/runtime/scoring.js';
import { simulate } from '../../server/simulate.js';
import { main as cli } from '../../server/cli.js';
import { markdownFiles, parseMarkdown, read, ROOT, type CodeBlock } from './markdown.js';

/**
 * The pages whose examples are checked. Markers, an HTML comment on the line before a block:
 * - `<!-- validate: map -->`, `scoring-model`, `scenario`, `event`, `condition`, `element`: a
 *   ```json block is checked as that (a scenario is run, and every expectation must pass);
 *   `<!-- validate: map file=wait.json -->` also names the block, so a scenario's
 *   `{ "file": "wait.json" }` and a command's `wait.json` find it;
 * - `<!-- skip: why -->`: a ```sh block is not run (the reason is required).
 * Every other ```json block must parse; every ```sh block's `scoremap …` lines run, in order,
 * against a throwaway database, and must exit 0 unless the line ends with `# exit N`. Examples are
 * read as a user runs them, from the root of a checkout: a scenario's `{ "file": "maps/…" }` and a
 * command's paths start there, and the page's named blocks are saved there first.
 */
const EXAMPLE_DIRS = ['docs/guide', 'docs/recipes', 'docs/integrations', 'docs/operations'];

const KINDS_OF_JSON = ['map', 'scoring-model', 'scenario', 'event', 'condition', 'element'] as const;
type JsonKind = (typeof KINDS_OF_JSON)[number];

interface Marker {
  readonly validate?: JsonKind;
  readonly file?: string;
  readonly skip?: string;
}

/** Reads a block's marker; throws on one this check does not know, so a typo cannot skip a check. */
function markerOf(block: CodeBlock): Marker {
  if (block.marker === null) return {};
  const skip = /^skip:\s*(.*)$/s.exec(block.marker);
  if (skip) {
    if (!skip[1].trim()) throw new Error('a "skip:" marker needs a reason');
    return { skip: skip[1].trim() };
  }
  const v = /^validate:\s*([a-z-]+)(?:\s+file=(\S+))?\s*$/.exec(block.marker);
  if (v) {
    if (!(KINDS_OF_JSON as readonly string[]).includes(v[1])) throw new Error(`unknown "validate: ${v[1]}": use one of ${KINDS_OF_JSON.join(', ')}`);
    return { validate: v[1] as JsonKind, file: v[2] };
  }
  return {};
}

const builtins = () => new FieldRegistry(BUILTIN_FIELDS);
const errorsOf = (problems: readonly { severity: string; message: string; element?: string | null }[]) =>
  problems.filter((p) => p.severity === 'error').map((p) => `${p.element ? `[${p.element}] ` : ''}${p.message}`);

/** The named blocks of a page, by file name, as text. */
function namedBlocks(blocks: readonly CodeBlock[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of blocks) {
    const m = markerOf(b);
    if (m.file) out.set(m.file, b.text);
  }
  return out;
}

/** Checks one JSON block; answers what is wrong, or [] when nothing is. */
async function checkJson(page: string, block: CodeBlock, named: Map<string, string>): Promise<string[]> {
  let value: unknown;
  try {
    value = JSON.parse(block.text);
  } catch (e) {
    return [`not valid JSON: ${(e as Error).message}`];
  }
  const kind = markerOf(block).validate;
  switch (kind) {
    case undefined: return [];
    case 'map': {
      const parsed = parseMapDocument(value);
      return parsed.ok ? errorsOf(validateMap(parsed.doc, builtins())) : errorsOf(parsed.problems);
    }
    case 'scoring-model': {
      try {
        return errorsOf(readModel(value, builtins()).problems);
      } catch (e) {
        return [(e as Error).message];
      }
    }
    case 'event': {
      const list = Array.isArray(value) ? value : [value];
      return list.flatMap((ev) => {
        const r = EventInput.safeParse(ev);
        return r.success ? [] : [r.error.issues[0].message];
      });
    }
    case 'condition': {
      const r = Condition.safeParse(value);
      return r.success ? [] : [r.error.issues.map((i) => i.message).join('; ')];
    }
    case 'element': {
      const r = Element.safeParse(value);
      return r.success ? [] : [r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')];
    }
    case 'scenario': {
      try {
        const result = await simulate(value, async (ref) => {
          if ('file' in ref) {
            const text = named.get(ref.file) ?? readFileSync(resolve(ROOT, ref.file), 'utf8');
            return JSON.parse(text);
          }
          throw new Error(`a scenario in the docs names its maps inline or by file, not by id ("${ref.id}")`);
        });
        const failed = result.expectations.filter((x) => !x.pass).map((x) => `expectation failed: ${JSON.stringify(x)}`);
        const none = result.expectations.length ? [] : ['a scenario in the docs needs at least one expectation'];
        return [...none, ...failed, ...result.errors.map((e) => `error: ${JSON.stringify(e)}`)];
      } catch (e) {
        return [(e as Error).message];
      }
    }
  }
}

/** Splits a command line into words, honouring single and double quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** The `scoremap` command lines of a shell block, with the exit status each expects. */
export function commandsOf(text: string): { args: string[]; exit: number; line: string }[] {
  const out: { args: string[]; exit: number; line: string }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s*\$\s+/, '').trim();
    const m = /^(?:scoremap|npm run -s scoremap --|npx scoremap)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [command, comment = ''] = m[1].split(/\s+#\s*/, 2);
    const exit = /^exit (\d+)/.exec(comment);
    if (/[|<>;&`]|\$\(/.test(command)) throw new Error(`"${line}" pipes or chains commands: mark the block <!-- skip: why --> or write one command a line`);
    out.push({ args: words(command), exit: exit ? Number(exit[1]) : 0, line });
  }
  return out;
}

/** Runs a shell block's scoremap lines in a fresh folder with its own database; answers what went wrong. */
async function runShell(block: CodeBlock, named: Map<string, string>): Promise<string[]> {
  const commands = commandsOf(block.text);
  if (!commands.length) return [];
  const dir = mkdtempSync(join(tmpdir(), 'scoremap-docs-'));
  const cwd = process.cwd();
  const saved = { db: process.env.SCOREMAP_DB, url: process.env.SCOREMAP_DATABASE_URL };
  try {
    for (const [name, text] of named) writeFileSync(join(dir, name), text);
    for (const link of ['maps', 'docs', 'test']) if (!existsSync(join(dir, link))) symlinkSync(join(ROOT, link), join(dir, link));
    process.chdir(dir);
    process.env.SCOREMAP_DB = join(dir, 'scoremap.db');
    delete process.env.SCOREMAP_DATABASE_URL;
    const problems: string[] = [];
    for (const c of commands) {
      let output = '';
      const code = await cli(c.args, (s) => (output += s), (s) => (output += s));
      if (code !== c.exit) problems.push(`"${c.line}" exited ${code}, not ${c.exit}:\n${output.slice(0, 2_000)}`);
    }
    return problems;
  } finally {
    process.chdir(cwd);
    if (saved.db === undefined) delete process.env.SCOREMAP_DB;
    else process.env.SCOREMAP_DB = saved.db;
    if (saved.url !== undefined) process.env.SCOREMAP_DATABASE_URL = saved.url;
    rmSync(dir, { recursive: true, force: true });
  }
}

const pages = EXAMPLE_DIRS.flatMap(markdownFiles);

describe('examples in the guides, recipes, integrations and operations pages', () => {
  it('has pages to check', () => {
    expect(pages.length).toBeGreaterThan(0);
  });

  for (const page of pages) {
    it(`${page}: every JSON block parses and validates as its marker says; every scoremap command runs`, async () => {
      const { blocks } = parseMarkdown(read(page));
      const named = namedBlocks(blocks);
      const problems: string[] = [];
      for (const block of blocks) {
        const where = `${page}:${block.line}`;
        let marker: Marker;
        try {
          marker = markerOf(block);
        } catch (e) {
          problems.push(`${where}: ${(e as Error).message}`);
          continue;
        }
        if (marker.skip) continue;
        if (block.lang === 'json') for (const p of await checkJson(page, block, named)) problems.push(`${where}: ${p}`);
        else if (marker.validate) problems.push(`${where}: "validate: ${marker.validate}" is for a \`\`\`json block, not \`\`\`${block.lang}`);
        if (block.lang === 'sh' || block.lang === 'bash' || block.lang === 'shell') {
          try {
            for (const p of await runShell(block, named)) problems.push(`${where}: ${p}`);
          } catch (e) {
            problems.push(`${where}: ${(e as Error).message}`);
          }
        }
      }
      expect(problems, problems.join('\n')).toEqual([]);
    }, 120_000);
  }
});

describe('the guide covers every element kind and trigger', () => {
  const triggerTypes = (TriggerOn as unknown as { options: { shape: { type: { value: string } } }[] }).options.map((o) => o.shape.type.value);
  const expected = [
    ...Object.keys(KINDS).map((k) => ({ what: `element kind "${k}"`, page: `docs/guide/elements/${k.replace(/_/g, '-')}.md`, needle: `"kind": "${k}"` })),
    ...triggerTypes.map((t) => ({ what: `trigger "${t}"`, page: `docs/guide/triggers/${t.replace(/_/g, '-')}.md`, needle: `"type": "${t}"` })),
  ];
  it('lists them all', () => {
    expect(triggerTypes).toContain('date_reached');
    expect(Object.keys(KINDS)).toContain('wait');
  });
  for (const e of expected) {
    it(`${e.what} has a page, ${e.page}, with an example map that uses it`, () => {
      expect(existsSync(join(ROOT, e.page)), `Write ${e.page}: the ${e.what} has no guide page`).toBe(true);
      const { blocks } = parseMarkdown(read(e.page));
      const examples = blocks.filter((b) => b.lang === 'json' && ['map', 'scenario'].includes(markerOf(b).validate ?? '') && b.text.includes(e.needle));
      expect(examples.length, `${e.page} has no validated example (<!-- validate: map -->) using the ${e.what}`).toBeGreaterThan(0);
    });
  }
});

describe('the examples check itself', () => {
  it('reads command lines and their expected exit', () => {
    expect(commandsOf('$ scoremap validate "my map.json"  # exit 1\nnpm ci\nnpm run -s scoremap -- import score-cap')).toEqual([
      { args: ['validate', 'my map.json'], exit: 1, line: 'scoremap validate "my map.json"  # exit 1' },
      { args: ['import', 'score-cap'], exit: 0, line: 'npm run -s scoremap -- import score-cap' },
    ]);
    expect(() => commandsOf('scoremap export x > out.json')).toThrow(/skip/);
  });

  it('fails a map that does not validate, and a scenario whose expectation fails', async () => {
    const bad = { lang: 'json', line: 1, marker: 'validate: map', text: '{ "name": "x", "elements": [{ "id": "w", "kind": "wait", "for": { "days": 1 } }] }' };
    expect((await checkJson('docs/guide/x.md', bad, new Map())).length).toBeGreaterThan(0);
    const scenario = {
      start: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z', maps: [],
      contacts: [{ id: 'ann', fields: { company_size: 5 } }],
      expect: [{ contact: 'ann', at: '2026-01-01T01:00:00Z', field: 'company_size', equals: 6 }],
    };
    const failing = { lang: 'json', line: 1, marker: 'validate: scenario', text: JSON.stringify(scenario) };
    expect((await checkJson('docs/guide/x.md', failing, new Map())).join()).toMatch(/expectation failed/);
    expect(() => markerOf({ lang: 'json', line: 1, marker: 'validate: mpa', text: '{}' })).toThrow(/unknown/);
    expect(() => markerOf({ lang: 'sh', line: 1, marker: 'skip:', text: '' })).toThrow(/reason/);
  });
});
