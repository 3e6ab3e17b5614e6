import type { FieldValue } from '../../../../engine/elements/types.js';
import { parseTemplate, renderTemplate } from '../../../../engine/expression/template.js';
import type { FieldDef, FieldRegistry } from '../../../../engine/schema/field.js';

/** The sample contact a webhook's message is previewed for: built-in fields a person recognises. */
const SAMPLE: Readonly<Record<string, FieldValue>> = {
  email: 'ann.lee@example.com', first_name: 'Ann', last_name: 'Lee', job_title: 'Head of Sales', company: 'Acme',
  industry: 'Software', country: 'France', lifecycle_stage: 'SQL', company_size: 120, score: 82, tags: ['hot'],
  created_at: Date.UTC(2026, 0, 5, 9), last_activity_at: Date.UTC(2026, 1, 2, 14, 30),
};

/** A plausible value of any field for the sample contact: custom fields get one of their type. */
export function sampleValue(f: FieldDef): FieldValue {
  if (Object.hasOwn(SAMPLE, f.key)) return SAMPLE[f.key];
  if (f.default !== undefined) return f.default;
  switch (f.type) {
    case 'number': return 42;
    case 'text': return `(${f.label})`;
    case 'date': return Date.UTC(2026, 1, 2, 14, 30);
    case 'boolean': return true;
    case 'tags': return ['hot'];
  }
}

/**
 * The message as the sample contact would get it, or null when it has a problem (the input says
 * which) or is empty.
 */
export function previewMessage(message: string, fields: FieldRegistry): string | null {
  if (!message.trim()) return null;
  const r = parseTemplate(message, fields);
  if (!r.ok) return null;
  return renderTemplate(r.parts, (key) => {
    const f = fields.get(key);
    return f ? sampleValue(f) : null;
  });
}
