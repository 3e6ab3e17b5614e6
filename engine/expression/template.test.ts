import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, showValue, type TemplatePart } from './template.js';
import { registry } from './testing.js';

function parts(source: string): readonly TemplatePart[] {
  const r = parseTemplate(source, registry);
  if (!r.ok) throw new Error(`expected ${source} to parse, got: ${r.error.message}`);
  return r.parts;
}

const render = (source: string, values: Record<string, unknown>) =>
  renderTemplate(parts(source), (key) => (values[key] ?? null) as never);

describe('message templates', () => {
  it('fills in fields named by label (any case, spaces around) or by key', () => {
    const values = { first_name: 'Ann', last_name: 'Lee', score: 82.5, email: 'ann@example.com' };
    expect(render('🔥 [First name] [LAST NAME ] reached [score] — [Email]', values)).toBe('🔥 Ann Lee reached 82.5 — ann@example.com');
  });

  it('lists the keys it reads, once each, and keeps the text between them as written', () => {
    const r = parseTemplate('[Score] and [score] then [Lead source]!', registry);
    expect(r).toMatchObject({ ok: true, fields: ['score', 'lead_source'] });
    if (r.ok) expect(r.parts.filter((p) => 'text' in p)).toEqual([{ text: ' and ' }, { text: ' then ' }, { text: '!' }]);
  });

  it('shows empty fields as nothing, dates as ISO-8601, yes/no fields in words, tags with commas', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5);
    expect(render('<[First name]>', {})).toBe('<>');
    expect(render('[Trial ends]', { trial_ends_at: at })).toBe('2026-01-02T03:04:05.000Z');
    expect(render('[Partner]/[Partner]', { is_partner: true })).toBe('yes/yes');
    expect(render('[Partner]', { is_partner: false })).toBe('no');
    expect(render('[Tags]', { tags: ['hot', 'sql'] })).toBe('hot, sql');
    expect(showValue({ type: 'date' }, 1e20)).toBe('');
  });

  it('writes "[[" as a bracket, and a lone "]" as itself', () => {
    expect(render('[[URGENT] [First name]]', { first_name: 'Ann' })).toBe('[URGENT] Ann]');
  });

  it('refuses an unknown field, naming it and its character', () => {
    expect(parseTemplate('Hi [Frist name]!', registry)).toEqual({
      ok: false,
      error: { message: 'Unknown field [Frist name] at character 4 — pick one with "Insert field", or write "[[" for a "[" itself', position: 3 },
    });
  });

  it('refuses an unclosed or empty reference', () => {
    expect(parseTemplate('Score: [Score', registry)).toMatchObject({ ok: false, error: { position: 7, message: expect.stringMatching(/never closed.*at character 8|at character 8.*never closed/) } });
    expect(parseTemplate('a [ ] b', registry)).toMatchObject({ ok: false, error: { position: 2, message: expect.stringContaining('is empty') } });
  });

  it('refuses a message over the size limit and anything that is not text, without throwing', () => {
    expect(parseTemplate('x'.repeat(2_001), registry).ok).toBe(false);
    expect(parseTemplate(42 as unknown as string, registry).ok).toBe(false);
  });

  it('is plain text when there is no reference', () => {
    expect(render('New hot lead', {})).toBe('New hot lead');
    expect(render('', {})).toBe('');
  });
});
