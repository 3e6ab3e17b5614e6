import type { Context } from 'hono';
import { z } from 'zod';
import type { FieldValue } from '../../engine/elements/types.js';
import { clampScore } from '../../engine/scoring/model.js';
import type { ContactState } from '../../engine/state.js';
import { recordAudit } from '../audit/log.js';
import type { AppDeps } from '../http/deps.js';
import type { ApiRouter } from '../http/router.js';
import { conflict, invalid, notFound } from '../errors.js';
import { actorOf, handCause } from '../people/actor.js';
import { findByEmail, normEmail } from '../people/store.js';
import { changeContact } from '../runtime/contacts.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Store } from '../store/store.js';
import { ContactView, contactView, pathParam } from '../routes/contact-views.js';
import { ContactScores, contactScores } from '../routes/scoring-models.js';
import { chosenReason, readReasons } from './reasons.js';
import { scoreTarget } from './score-target.js';

const Reason = z.string().trim().min(1, 'give a reason: it is kept in the history').max(500, 'a reason has at most 500 characters');
const ModelId = z.string().min(1).max(200).optional().meta({ description: 'The scoring model (default: the one writing Score, else the only one)' });

const AdjustBody = z.strictObject({
  points: z.number().finite().refine((n) => n !== 0, 'points must not be 0: give the points to add (or, below 0, to take away)')
    .meta({ description: 'Points to add (below 0: to take away); the model\'s bounds hold' }),
  reason: Reason,
  modelId: ModelId,
});
const ResetBody = z.strictObject({ reason: Reason, modelId: ModelId });
const QualifyBody = z.strictObject({
  status: z.enum(['accepted', 'rejected']).nullable().meta({ description: '`accepted`, `rejected`, or null to clear the verdict' }),
  reason: Reason.optional().meta({ description: 'One of the reasons listed for that status (GET /api/settings/qualification); optional when clearing' }),
}).refine((b) => b.status === null || b.reason !== undefined, { message: 'give the reason, one of the list for that status', path: ['reason'] });
const OwnerBody = z.strictObject({
  owner: z.string().trim().min(1).max(320).nullable().meta({ description: 'A person\'s email (any case), or null for nobody' }),
  reason: Reason.optional(),
});
const AddToMapBody = z.strictObject({ mapId: z.string().min(1).max(256).meta({ description: 'A published map with an "added by hand" trigger' }) });

const Answer = ContactView.extend({ scores: ContactScores });

/** How a contact is named in an audit summary: their name, else their email, else their id. */
export function contactName(c: ContactState): string {
  const name = [c.fields.first_name, c.fields.last_name].filter((v) => typeof v === 'string' && v.trim()).join(' ');
  if (name) return name;
  return typeof c.fields.email === 'string' && c.fields.email ? c.fields.email : `contact "${c.id}"`;
}

const num = (v: FieldValue | undefined): number => (typeof v === 'number' ? v : 0);
const signed = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${Math.round(Math.abs(n) * 1000) / 1000}`;

/** The contact as GET /api/contacts/:id shows it. */
async function answer(rt: Runtime, contact: ContactState) {
  const view = await contactView(rt, contact);
  const scores = (await contactScores(rt, [view.id])).get(view.id);
  return scores ? { ...view, scores } : view;
}

/** Writes an audit entry about a contact, in the change's transaction. */
function audit(c: Context, s: Store, now: number, contact: ContactState, action: string, summary: string, detail: unknown): Promise<void> {
  return recordAudit(s.db, actorOf(c), { action, targetType: 'contact', targetId: contact.id, summary, detail }, now);
}

/**
 * The sales actions on a contact (SPEC §12): adjust and reset its score, accept or reject it, give
 * it an owner, add it to a map. Each runs under the contact's lock in one transaction through the
 * engine (triggers, condition waits, the ledger and webhooks see it as any change), is a history
 * row naming the person and the reason, and (but add-to-map) an audit entry.
 */
export function contactActionOps(router: ApiRouter, deps: AppDeps): ApiRouter {
  const { rt } = deps;
  return router
    .op({
      method: 'post', path: '/:id/adjust', role: 'sales', summary: 'Add or take away points by hand, with a reason', body: AdjustBody, response: Answer,
      description: 'Adds `points` to the score of the model (its bounds hold) as a grant from you, read from the score as it is at that moment, '
        + 'so two adjustments at once both count. History: `{ "api": true, "by", "reason" }`; audit: `contact.adjust`.',
    }, async (c, { body }) => {
      const target = scoreTarget(rt, body.modelId);
      const cause = handCause(c, body.reason);
      const { contact } = await changeContact(rt, pathParam(c, 'id'), (state) => {
        const from = num(state.fields[target.field]);
        const to = target.model ? clampScore(target.model, from + body.points) : from + body.points;
        return { work: { kind: 'set', values: { [target.field]: to }, cause }, answer: undefined };
      }, async (s, before, after, _a, now) => {
        const from = num(before.fields[target.field]);
        const to = num(after.fields[target.field]);
        const bounded = to - from !== body.points ? ` (${signed(body.points)} asked; the model's bounds hold)` : '';
        await audit(c, s, now, after, 'contact.adjust',
          `Adjusted ${contactName(after)}'s ${target.label} by ${signed(to - from)} (${from} → ${to})${bounded}: ${body.reason}`,
          { field: target.field, modelId: target.model?.id ?? null, points: body.points, given: to - from, from, to, reason: body.reason });
      });
      return c.json(await answer(rt, contact));
    })
    .op({
      method: 'post', path: '/:id/reset', role: 'sales', summary: 'Set a score to 0 by hand, with a reason', body: ResetBody, response: Answer,
      description: 'The score becomes 0 and the model\'s ledger starts over (points earned before no longer count, nor expire, nor decay). '
        + 'History: `{ "api": true, "by", "reason" }`; audit: `contact.reset`.',
    }, async (c, { body }) => {
      const target = scoreTarget(rt, body.modelId);
      const cause = handCause(c, body.reason);
      const { contact } = await changeContact(rt, pathParam(c, 'id'), () => ({ work: { kind: 'set', values: { [target.field]: 0 }, cause }, answer: undefined }),
        async (s, before, after, _a, now) => {
          const from = before.fields[target.field] ?? null;
          await audit(c, s, now, after, 'contact.reset', `Reset ${contactName(after)}'s ${target.label} to 0 (was ${from ?? 'empty'}): ${body.reason}`,
            { field: target.field, modelId: target.model?.id ?? null, from, to: 0, reason: body.reason });
        });
      return c.json(await answer(rt, contact));
    })
    .op({
      method: 'post', path: '/:id/qualify', role: 'sales', summary: 'Accept or reject a lead with a reason from the list', body: QualifyBody, response: Answer,
      description: 'Sets Qualification status (`accepted` or `rejected`) and Qualification reason, which must be one of the list for that status '
        + '(GET /api/settings/qualification; 422 otherwise); `status: null` clears both. They fire field_updated triggers like any change. '
        + 'History: `{ "api": true, "by", "reason" }`; audit: `contact.qualify`.',
    }, async (c, { body }) => {
      const { reasons } = await readReasons(rt.store.db);
      const reason = body.status === null ? null : chosenReason(reasons, body.status, body.reason!);
      const cause = handCause(c, reason ?? body.reason);
      const { contact } = await changeContact(rt, pathParam(c, 'id'),
        () => ({ work: { kind: 'set', values: { qualification_status: body.status, qualification_reason: reason }, cause }, answer: undefined }),
        async (s, before, after, _a, now) => {
          const was = { status: before.fields.qualification_status ?? null, reason: before.fields.qualification_reason ?? null };
          if (was.status === body.status && was.reason === reason) return;
          const who = contactName(after);
          const summary = body.status === null
            ? `Cleared the verdict on ${who} (was ${was.status ?? 'none'})${body.reason ? `: ${body.reason}` : ''}`
            : `${body.status === 'accepted' ? 'Accepted' : 'Rejected'} ${who}: ${reason}`;
          await audit(c, s, now, after, 'contact.qualify', summary, { before: was, after: { status: body.status, reason } });
        });
      return c.json(await answer(rt, contact));
    })
    .op({
      method: 'put', path: '/:id/owner', role: 'sales', summary: 'Give a lead an owner, or none', body: OwnerBody, response: Answer,
      description: 'Sets Owner to the person\'s email, lower-cased (422 when no person has it); null clears it. '
        + 'History: `{ "api": true, "by", "reason"? }`; audit: `contact.owner`.',
    }, async (c, { body }) => {
      let owner: string | null = null;
      let ownerName: string | null = null;
      if (body.owner !== null) {
        const person = await findByEmail(rt.store.db, body.owner);
        if (!person) throw invalid(`No person has the email "${body.owner}": an owner is one of the people who sign in (an admin adds them on the People page)`);
        owner = normEmail(person.email);
        ownerName = person.name;
      }
      const cause = handCause(c, body.reason);
      const { contact } = await changeContact(rt, pathParam(c, 'id'), () => ({ work: { kind: 'set', values: { owner }, cause }, answer: undefined }),
        async (s, before, after, _a, now) => {
          const was = before.fields.owner ?? null;
          if (was === owner) return;
          const summary = owner === null ? `Took ${contactName(after)} from ${was}` : `Gave ${contactName(after)} to ${ownerName} (${owner})${was ? `, from ${was}` : ''}`;
          await audit(c, s, now, after, 'contact.owner', body.reason ? `${summary}: ${body.reason}` : summary, { before: was, after: owner, reason: body.reason ?? null });
        });
      return c.json(await answer(rt, contact));
    })
    .op({
      method: 'post', path: '/:id/add-to-map', role: 'sales', summary: 'Add a contact to a map through its "added by hand" trigger', body: AddToMapBody,
      response: z.object({ added: z.number().meta({ description: '1, or 0 when the contact was on the map already and its trigger leaves it where it is' }) }),
      description: 'The map must be published, not paused, and start with an "added by hand" trigger (409 in words otherwise). '
        + 'The contact\'s history records who added it (field `map:<id>`).',
    }, async (c, { body }) => {
      const map = rt.world.maps.find((m) => m.id === body.mapId);
      if (!map) {
        const stored = (await rt.store.listMaps()).find((m) => m.id === body.mapId);
        if (!stored) throw notFound(`No map with id "${body.mapId}"`);
        throw conflict('The map is not published yet: publish it, then add contacts');
      }
      if (map.paused) throw conflict('The map is paused: resume it to add contacts');
      const trigger = map.triggers.manual[0];
      if (!trigger) throw conflict('This map has no "added by hand" trigger: add one to let contacts be added to it');
      const cause = handCause(c);
      const { answer: added } = await changeContact(rt, pathParam(c, 'id'), (state) => {
        const enters = !state.positions.has(map.id) || trigger.ifOnMap === 'move_here';
        return { work: enters ? { kind: 'enter', mapId: map.id, elementId: trigger.id } : null, answer: enters ? 1 : 0 };
      }, async (s, _before, after, entered, now) => {
        if (entered) await s.insertHistory([{ contactId: after.id, at: now, field: `map:${map.id}`, from: null, to: trigger.id, cause }]);
      });
      return c.json({ added });
    });
}

/** The fields scoring models write, with their model and label. */
export function scoreFieldsOf(rt: Runtime): Map<string, { modelId: string; label: string }> {
  const out = new Map<string, { modelId: string; label: string }>();
  for (const m of rt.world.models ?? []) out.set(m.model.field, { modelId: m.model.id, label: rt.world.fields.get(m.model.field)?.label ?? m.model.field });
  return out;
}

/**
 * Audits a PATCH that changed a scoring model's field by hand (SPEC §12: every manual score
 * change): `contact.reset` when it emptied it or set it to 0 (the ledger starts over), else
 * `contact.adjust`, with the points it moved.
 */
export async function auditScoreEdit(c: Context, rt: Runtime, s: Store, before: ContactState, after: ContactState, now: number): Promise<void> {
  for (const [field, { modelId, label }] of scoreFieldsOf(rt)) {
    const from = before.fields[field] ?? null;
    const to = after.fields[field] ?? null;
    if (from === to) continue;
    const reset = to === null || to === 0;
    const summary = reset
      ? `Set ${contactName(after)}'s ${label} to ${to ?? 'empty'} by editing the field (was ${from ?? 'empty'})`
      : `Set ${contactName(after)}'s ${label} from ${from ?? 'empty'} to ${to} by editing the field (${signed(num(to) - num(from))})`;
    await audit(c, s, now, after, reset ? 'contact.reset' : 'contact.adjust', summary, { field, modelId, from, to, given: num(to) - num(from), via: 'edit' });
  }
}
