import { z } from 'zod';
import { elementBase, Ref } from './base.js';
import { defineKind } from './types.js';

const TagList = z.array(z.string().trim().min(1).max(100)).max(100);

/** Sets a field to an expression's value, or adds and removes tags. */
export const UpdateFieldElement = z.strictObject({
  ...elementBase,
  kind: z.literal('update_field'),
  field: z.string().min(1).max(200),
  /** The new value, in the expression language: `[Custom Lead Score] + 5`. */
  value: z.string().max(2_000).optional(),
  addTags: TagList.optional(),
  removeTags: TagList.optional(),
  next: Ref,
});
export type UpdateFieldElement = z.infer<typeof UpdateFieldElement>;

const quoteList = (tags: readonly string[]) => tags.map((t) => `"${t}"`).join(', ');

export const updateField = defineKind<UpdateFieldElement>({
  kind: 'update_field',
  schema: UpdateFieldElement,
  outlets: (el) => [{ path: 'next', target: el.next, instant: true, required: true }],
  describe(el, fields) {
    const label = fields.resolve(el.field)?.label ?? el.field;
    if (fields.resolve(el.field)?.type === 'tags') {
      const parts: string[] = [];
      if (el.addTags?.length) parts.push(`Add tag${el.addTags.length > 1 ? 's' : ''} ${quoteList(el.addTags)}`);
      if (el.removeTags?.length) parts.push(`remove tag${el.removeTags.length > 1 ? 's' : ''} ${quoteList(el.removeTags)}`);
      return parts.length ? parts.join(', ') : 'Change no tags';
    }
    return `${label} = ${el.value ?? '…'}`;
  },
  check(el, ctx) {
    const field = ctx.fields.resolve(el.field);
    ctx.field(el.field, 'field', undefined, 'update');
    if (!field) return;
    if (field.type === 'tags') {
      if (el.value !== undefined) ctx.problem('value', 'The Tags field is changed with "add tags" and "remove tags", not a value');
      if (!el.addTags?.length && !el.removeTags?.length) ctx.problem('addTags', 'Say which tags to add or remove');
      return;
    }
    if (el.addTags || el.removeTags) ctx.problem('addTags', `Tags can only be added to the Tags field, not ${field.label}`);
    if (field.key === 'created_at') ctx.problem('field', 'Created is set by the system and cannot be updated');
    if (el.value === undefined || el.value.trim() === '') {
      ctx.problem('value', `Say what to set ${field.label} to`);
      return;
    }
    ctx.expression(el.value, 'value', field.type);
  },
  run(el, ctx) {
    const field = ctx.fields.resolve(el.field);
    if (!field) return { error: `Unknown field "${el.field}"` };
    if (field.type === 'tags') {
      // Tags match ignoring case, as has_tag and the tag triggers read them: a tag present in
      // another case is kept as written, and removing "Customer" removes "customer".
      const tags = new Map(((ctx.get('tags') as readonly string[] | null) ?? []).map((t) => [t.toLowerCase(), t]));
      for (const t of el.addTags ?? []) if (!tags.has(t.toLowerCase())) tags.set(t.toLowerCase(), t);
      for (const t of el.removeTags ?? []) tags.delete(t.toLowerCase());
      ctx.set('tags', [...tags.values()]);
    } else {
      ctx.set(field.key, ctx.evaluate(el.value ?? ''));
    }
    return el.next ? { go: el.next } : { error: "'What happens next?' is empty" };
  },
});
