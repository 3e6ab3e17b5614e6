import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMapDocument } from '../engine/parse.js';
import { validateMap } from '../engine/validate.js';
import { BUILTIN_FIELDS, FieldRegistry, type FieldDef } from '../engine/schema/field.js';
import type { MapDocument } from '../engine/schema/map.js';
import { cli, expectScenarioPasses } from './cli-run.js';

const mapsDir = fileURLToPath(new URL('../maps/', import.meta.url));
const scenarioDir = fileURLToPath(new URL('./scenarios/templates/', import.meta.url));

/** The template maps SPEC §4 promises. */
const TEMPLATES = [
  'custom-lead-score', 'adjusted-lead-score', 'point-decay-loop', 'inactivity-reset',
  'score-cap', 'score-brackets', 'lifecycle-stages', 'composite-score', 'notify-sales-hot-lead',
  'subscription-dates',
] as const;

/** The editor draws every element as a box of this size. */
const NODE = { width: 240, height: 80 };

const raw = (name: string): Record<string, unknown> => JSON.parse(readFileSync(`${mapsDir}${name}.json`, 'utf8'));

function load(name: string): MapDocument {
  const parsed = parseMapDocument(raw(name));
  if (!parsed.ok) throw new Error(`${name}: ${parsed.problems.map((p) => p.message).join('; ')}`);
  return parsed.doc;
}


describe.each(TEMPLATES)('template %s', (name) => {
  it('is a valid map with no problems at all, not even warnings', () => {
    const parsed = parseMapDocument(raw(name));
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
    if (!parsed.ok) return;
    expect(validateMap(parsed.doc, new FieldRegistry(BUILTIN_FIELDS))).toEqual([]);
  });

  it('points at the JSON Schema and says what it does', () => {
    const doc = load(name);
    expect(doc.$schema).toBe('./map.schema.json');
    expect(doc.name.trim()).not.toBe('');
    expect(doc.description?.trim().length).toBeGreaterThan(40);
  });

  it('labels every element in words and places every one', () => {
    for (const el of load(name).elements) {
      expect(el.label?.trim(), `element ${el.id}`).toBeTruthy();
      expect(el.position, `element ${el.id}`).toBeDefined();
    }
  });

  it('lays elements out without overlaps, triggers in a row at the top', () => {
    const els = load(name).elements;
    const overlaps: string[] = [];
    els.forEach((a, i) => {
      for (const b of els.slice(i + 1)) {
        const [p, q] = [a.position!, b.position!];
        if (Math.abs(p.x - q.x) < NODE.width && Math.abs(p.y - q.y) < NODE.height) overlaps.push(`${a.id} / ${b.id}`);
      }
    });
    expect(overlaps).toEqual([]);
    const top = Math.min(...els.map((el) => el.position!.y));
    expect(els.filter((el) => el.kind === 'trigger').map((el) => [el.id, el.position!.y])).toEqual(
      els.filter((el) => el.kind === 'trigger').map((el) => [el.id, top]),
    );
    expect(els.filter((el) => el.kind !== 'trigger' && el.position!.y <= top).map((el) => el.id)).toEqual([]);
  });

  it('uses every field it declares', () => {
    const doc = load(name);
    // What the elements do, without the words written for people (a label may name a field it doesn't use).
    const text = JSON.stringify(doc.elements.map(({ label: _l, note: _n, position: _p, ...rest }) => rest)).toLowerCase();
    for (const f of doc.fields ?? []) {
      const used = text.includes(`"${f.key}"`) || text.includes(`[${f.key}]`) || text.includes(`[${f.label.toLowerCase()}]`) || text.includes(`"${f.label.toLowerCase()}"`);
      expect(used, `field ${f.key}`).toBe(true);
    }
  });

  it('has a scenario proving its numbers', () => {
    const scenario = JSON.parse(readFileSync(`${scenarioDir}${name}.json`, 'utf8'));
    expect(scenario.maps).toContainEqual({ file: `../../../maps/${name}.json` });
    expect(scenario.expect.length).toBeGreaterThan(5);
  });
});

describe('the templates together', () => {
  const declared = TEMPLATES.flatMap((name) => (load(name).fields ?? []).map((f) => ({ name, ...f })));

  it('declare a shared field the same way everywhere (key, label, type, decimals)', () => {
    const byKey = new Map<string, (typeof declared)[number]>();
    for (const f of declared) {
      const first = byKey.get(f.key) ?? f;
      byKey.set(f.key, first);
      expect({ label: f.label, type: f.type, decimals: f.decimals }, `${f.key} in ${f.name} and ${first.name}`)
        .toEqual({ label: first.label, type: first.type, decimals: first.decimals });
    }
    const labels = new Map([...byKey.values()].map((f) => [f.label.toLowerCase(), f.key]));
    expect(labels.size).toBe(byKey.size);
  });

  it('each stays free of problems once the fields of all the others exist', () => {
    const all: FieldDef[] = [...BUILTIN_FIELDS, ...declared.map(({ name: _n, ...f }) => f)];
    for (const name of TEMPLATES) expect(validateMap(load(name), new FieldRegistry(all)), name).toEqual([]);
  });

  it('can all be imported and published at once, and run without errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scoremap-templates-'));
    try {
      const file = join(dir, 'all-templates.json');
      writeFileSync(file, JSON.stringify({
        name: 'All the templates at once',
        start: '2026-01-01T00:00:00Z',
        until: '2026-02-15T00:00:00Z',
        maps: TEMPLATES.map((name) => ({ file: `${mapsDir}${name}.json` })),
        contacts: [
          { id: 'ann', fields: { email: 'ann@example.com', job_title: 'CEO', company_size: 200 } },
          { id: 'bob', fields: { email: 'bob@example.com' } },
        ],
        events: [
          { contact: { id: 'ann' }, type: 'email_link_clicked', at: '2026-01-01T10:00:00Z' },
          { contact: { id: 'ann' }, type: 'demo_requested', at: '2026-01-01T10:01:00Z' },
          { contact: { id: 'bob' }, type: 'page_visited', at: '2026-01-02T10:00:00Z', props: { url: '/pricing' } },
        ],
        expect: [
          // Custom Lead Score: 5 for the click, 20 for the demo; Adjusted adds a Score of 0.
          { contact: 'ann', at: '2026-01-01T10:01:00Z', field: 'custom_lead_score', equals: 25 },
          { contact: 'ann', at: '2026-01-01T10:01:00Z', field: 'adjusted_lead_score', equals: 25 },
          // Composite: Fit 40 (CEO, 200 people) + Engagement 5 + Intent 10.
          { contact: 'ann', at: '2026-01-01T10:01:00Z', field: 'composite_score', equals: 55 },
          { contact: 'ann', at: '2026-01-01T10:01:00Z', field: 'tags', equals: ['low'] },
          { contact: 'bob', at: '2026-01-02T10:00:00Z', field: 'custom_lead_score', equals: 10 },
          { contact: 'bob', at: '2026-01-02T10:00:00Z', field: 'composite_score', equals: 5 },
          // Two decay loops (Custom Lead Score's and Point decay loop's) and the reset: 0 at the end.
          { contact: 'ann', at: '2026-02-14T00:00:00Z', field: 'custom_lead_score', equals: 0 },
        ],
      }));
      const { code, stdout, stderr } = await cli(['simulate', file, '--json']);
      expect(stderr).toBe('');
      const result = JSON.parse(stdout);
      expect(result.errors).toEqual([]);
      expect(result.expectations.filter((x: { pass: boolean }) => !x.pass)).toEqual([]);
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('template scenarios run through `scoremap simulate`', () => {
  const scenarios = readdirSync(scenarioDir).filter((f) => f.endsWith('.json')).sort();

  it('has one for each template', () => {
    expect(scenarios).toEqual(expect.arrayContaining(TEMPLATES.map((t) => `${t}.json`)));
  });

  for (const file of scenarios) {
    it(`${file}: every expectation passes, with no errors`, async () => {
      await expectScenarioPasses(`${scenarioDir}${file}`);
    });
  }
});
