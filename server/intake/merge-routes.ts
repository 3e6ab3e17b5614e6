import { z } from 'zod';
import type { AppDeps } from '../http/deps.js';
import type { ApiRouter } from '../http/router.js';
import { ContactId, ContactView, contactView, loadContact, pathParam } from '../routes/contact-views.js';
import { mergeByHand } from './merge.js';
import { actorOf } from '../people/actor.js';
import { recordAudit } from '../audit/log.js';
import { contactName } from '../sales/actions.js';

const MergeBody = z.strictObject({
  from: z
    .string({ error: (iss) => (iss.input === undefined ? '"from" is missing: give the id of the contact to merge into this one' : '"from" is a contact id (text)') })
    .pipe(ContactId)
    .meta({ description: 'The id of the contact to merge into this one (it is deleted)' }),
  dryRun: z.boolean().optional().meta({ description: 'Answer what the merge would do, and change nothing' }),
});

const Score = z.object({
  field: z.string(), label: z.string(), before: z.number().nullable(), after: z.number().nullable(),
  added: z.number().meta({ description: 'The other\'s points added: 0 unless it was anonymous' }),
});
const Shown = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string()).readonly()]);
const MergeAnswer = z.object({
  contact: ContactView.meta({ description: 'The master after the merge (for a dry run: as it would be)' }),
  merged: z.object({
    from: z.string(),
    into: z.string(),
    anonymous: z.boolean().meta({ description: 'Whether the other had neither an email nor an external id: then its points were added' }),
    fields: z.array(z.object({ field: z.string(), label: z.string(), value: Shown })).meta({ description: 'The fields the master was empty in and took from the other' }),
    tagsAdded: z.array(z.string()),
    eventsMoved: z.number(),
    historyMoved: z.number(),
    score: Score.meta({ description: 'The built-in Score' }),
    scores: z.array(Score).meta({ description: 'Every score field: the built-in Score and each scoring model\'s field' }),
    mapsLeft: z.array(z.object({ mapId: z.string(), mapName: z.string(), element: z.string(), elementLabel: z.string().nullable() })),
  }),
  dryRun: z.boolean(),
});

/** `POST /api/contacts/:id/merge` (SPEC §10 "Merge"), on the contacts router. */
export function mergeOps(router: ApiRouter, deps: AppDeps): ApiRouter {
  const { rt } = deps;
  return router.op({
    method: 'post', path: '/:id/merge', summary: 'Merge a duplicate contact into this one', body: MergeBody, response: MergeAnswer, scope: 'admin', role: 'sales',
    description: 'In one transaction this contact (the master) keeps its id and every value it has; its empty fields take the other\'s values; '
      + 'Last activity is the later of the two; tags unite; the other\'s events, history and anonymous ids move to the master, whose history '
      + 'records the merge and who made it (cause `{ "merge": { "from", "via": "api", "by" } }`). Scores: the master keeps its own, unless the other was anonymous '
      + '(no email, no external id), whose points are added. The other\'s places on maps end (recorded in the master\'s history) and it is '
      + 'deleted: its id answers 404 from then on. Fields the master takes fire field_updated triggers. `contact.merged` webhooks hear it. '
      + 'With `"dryRun": true` nothing changes and the answer says what would.',
  }, async (c, { body }) => {
    const id = pathParam(c, 'id');
    const by = actorOf(c);
    const { master, summary } = await mergeByHand(rt, id, body.from, {
      dryRun: body.dryRun, by,
      // A merge can add points (an anonymous duplicate's): audited as a change made by hand.
      within: (s, into, other, done, now) => recordAudit(s.db, by, {
        action: 'contact.merge', targetType: 'contact', targetId: into.id,
        summary: `Merged ${contactName(other)} into ${contactName(into)}${done.score.added ? ` (${done.score.added} points added)` : ''}`,
        detail: { from: other.id, into: into.id, anonymous: done.anonymous, scores: done.scores },
      }, now),
    });
    // A dry run shows the master as it would be; a merge, as it is now.
    const contact = body.dryRun ? master : await loadContact(rt, id);
    return c.json({ contact: await contactView(rt, contact), merged: summary, dryRun: body.dryRun ?? false });
  });
}
