import { z } from 'zod';
import { elementBase, Ref } from './base.js';
import { defineKind } from './types.js';
import { shorten } from '../expression/problem.js';

/** The most owners one rotation may list. */
export const MAX_OWNERS = 100;

/** Something that reads as an email address: a name, one @, a domain with a dot, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Round-robin owner assignment (SPEC §12): sets the built-in `owner` field to the next email of
 * its list, in turn. The turn counter belongs to the element (`<map id>:<element id>`) and is kept
 * by the runtime, so it survives restarts and is shared by every process; editing the list keeps
 * the counter, and the next turn is the counter modulo the list's length.
 */
export const AssignOwnerElement = z.strictObject({
  ...elementBase,
  kind: z.literal('assign_owner'),
  /** The people who take turns, by email (compared lower-cased, as `owner` holds them). */
  owners: z.array(z.string().max(254)).max(MAX_OWNERS),
  next: Ref,
});
export type AssignOwnerElement = z.infer<typeof AssignOwnerElement>;

/** The rotation's emails as `owner` holds them: trimmed, lower-cased, blanks left out. */
export function ownerList(el: Pick<AssignOwnerElement, 'owners'>): string[] {
  return el.owners.map((o) => o.trim().toLowerCase()).filter((o) => o !== '');
}

/** The key of an element's turn counter (the `rotations` table's). */
export function rotationKey(mapId: string, elementId: string): string {
  return `${mapId}:${elementId}`;
}

/**
 * The emails of a map's assign_owner elements, by element id: whether each is a person's is for
 * the server to say (the engine knows no people).
 */
export function assignedOwners(doc: { readonly elements: readonly { id: string; kind: string }[] }): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const el of doc.elements) if (el.kind === 'assign_owner') out.set(el.id, ownerList(el as AssignOwnerElement));
  return out;
}

export const assignOwner = defineKind<AssignOwnerElement>({
  kind: 'assign_owner',
  schema: AssignOwnerElement,
  outlets: (el) => [{ path: 'next', target: el.next, instant: true, required: true }],
  describe(el) {
    const owners = ownerList(el);
    if (owners.length === 0) return 'Assign an owner (no one listed yet)';
    if (owners.length === 1) return `Owner = ${owners[0]}`;
    const shown = owners.slice(0, 3).join(', ');
    return `Owner in turn: ${shown}${owners.length > 3 ? ` and ${owners.length - 3} more` : ''}`;
  },
  check(el, ctx) {
    // Problems are all at `owners` (the editor's one list), each naming its email.
    if (!ctx.fields.get('owner')) ctx.problem('owners', 'This database has no Owner field yet: restart the server to upgrade it');
    const owners = ownerList(el);
    if (owners.length === 0) {
      ctx.problem('owners', 'List the people who take turns: at least one email');
      return;
    }
    const seen = new Set<string>();
    for (const email of owners) {
      if (!EMAIL.test(email)) {
        ctx.problem('owners', `"${shorten(email, 60)}" is not an email: write the person's address, like ana@acme.com`);
      } else if (seen.has(email)) {
        ctx.problem('owners', `${email} is listed twice: they get two turns in every round`, 'warning');
      }
      seen.add(email);
    }
  },
  run(el, ctx) {
    const owners = ownerList(el);
    if (owners.length === 0) return { error: 'No one to assign: list at least one email' };
    // The turn is taken only here, once the contact really is assigned: a contact stopped before
    // this element uses none.
    ctx.set('owner', owners[ctx.takeTurn() % owners.length]);
    return el.next ? { go: el.next } : { error: "'What happens next?' is empty" };
  },
});
