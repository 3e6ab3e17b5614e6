/**
 * Merging two contacts who are one person (SPEC §10 "Merge"): by hand (`POST /api/contacts/:id/merge`,
 * the contact page's button) or when an identity call names an anonymous visitor and a known person.
 * In one transaction the master keeps its id, takes the other's values where it has none, unites
 * the tags, takes over the other's events, history and anonymous ids, and the other — its places on
 * maps ended and recorded — is deleted.
 */
import { sql } from 'kysely';
import { MAX_REQUEST_STEPS, processWork, type World } from '../../engine/cascade.js';
import { Effects } from '../../engine/effects.js';
import type { FieldValue } from '../../engine/elements/types.js';
import type { CompiledModel } from '../../engine/scoring/compile.js';
import { clampScore, ruleKey } from '../../engine/scoring/model.js';
import type { Cause, CauseActor, ContactState, FieldChange } from '../../engine/state.js';
import { badRequest, notFound } from '../errors.js';
import { mergeTags } from '../runtime/import-batch.js';
import type { Runtime } from '../runtime/runtime.js';
import { show, type ShownValue } from '../simulate.js';
import type { Store } from '../store/store.js';
import { moveAnonymousIds } from './identity.js';
import { forgetPending } from './merge-pending.js';

/** Who asked for a merge: a person (the API, the editor) or an identity call (Segment's identify, alias, or any call naming both). */
export type MergeVia = 'api' | 'segment';

/** A score field around a merge. */
export interface ScoreChange {
  readonly field: string;
  readonly label: string;
  /** The master's score before the merge (null: empty). */
  readonly before: number | null;
  /** After it, once the engine has reacted (condition rules re-checked on the fields taken over, maps moved). */
  readonly after: number | null;
  /** The other's points added (0 unless the other was anonymous). */
  readonly added: number;
}

/** What a merge did (or, for a dry run, would do). */
export interface MergeSummary {
  /** The contact merged away (deleted). */
  readonly from: string;
  /** The master, which keeps its id. */
  readonly into: string;
  /** Whether the other was anonymous (no email and no external id): then its points were added. */
  readonly anonymous: boolean;
  /** The fields the master took from the other (it had none of them), with their values as the API shows them. */
  readonly fields: readonly { readonly field: string; readonly label: string; readonly value: ShownValue }[];
  /** Tags the master did not have. */
  readonly tagsAdded: readonly string[];
  readonly eventsMoved: number;
  /** The other's history rows, now the master's. */
  readonly historyMoved: number;
  /** The built-in Score. */
  readonly score: ScoreChange;
  /** Every score field: the built-in Score and each scoring model's field. */
  readonly scores: readonly ScoreChange[];
  /** The maps the other was on, where it was: its places there ended. */
  readonly mapsLeft: readonly { readonly mapId: string; readonly mapName: string; readonly element: string; readonly elementLabel: string | null }[];
}

/**
 * The cause of a history row moved from a merged-away contact to the master: its own cause, and
 * the id of the contact whose change it was. Readers of the master's own timeline (its score over
 * time) pass such rows by.
 */
export type MovedCause = Cause & { readonly mergedFrom: string };

/** The pseudo-field of the history row that records a merge on the master: from the other's id to the master's. */
export const MERGE_HISTORY_FIELD = 'contact:merge';

const isEmpty = (v: FieldValue | undefined) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** Whether a contact is anonymous: neither an email nor an external id names it. */
export function isAnonymous(c: ContactState): boolean {
  return isEmpty(c.fields.email) && isEmpty(c.fields.external_id);
}

/** The fields a scoring model writes, and the built-in Score, with the model that writes each (if any). */
function scoreFields(world: World): Map<string, CompiledModel | undefined> {
  const out = new Map<string, CompiledModel | undefined>([['score', undefined]]);
  for (const m of world.models ?? []) out.set(m.model.field, m);
  return out;
}

/**
 * The points a contact's score holds from condition rules ("CEO: +10"): on the master they are
 * worked out again from its merged fields, so adding them too would count them twice.
 */
function conditionPoints(c: ContactState, m: CompiledModel): number {
  let sum = 0;
  for (const rule of m.conditionRules) {
    const key = ruleKey(m.model.id, rule.id);
    if (!c.rules?.has(key)) continue;
    sum += c.rules.get(key) ?? rule.points ?? 0;
  }
  return sum;
}

const num = (v: FieldValue | undefined) => (typeof v === 'number' ? v : null);

/**
 * Merges `other` into `master` inside the caller's transaction (SPEC §10 "Merge").
 *
 * Contract:
 * - Call it holding the runtime's turn (`rt.lock`), inside `rt.transaction`, with `s` the
 *   transaction's store and both contacts read in it by `s.loadContacts` (with their scoring
 *   rules: the default), which on PostgreSQL locks them until the commit. Run their due work first
 *   (`rt.catchUpFirst`), as any request that changes contacts does.
 * - `master` is changed in place through the engine (a `set` work item: each field it takes is a
 *   history row with the cause `{ merge: { from, via } }` and fires field_updated, tag and
 *   condition-wait reactions, gathered in `effects`). The caller writes `effects` (`rt.flush`) in
 *   the same transaction, which also writes the `contact.merged` deliveries (`effects.merges`).
 * - `other` is gone from the database when this resolves (its events, history and anonymous ids
 *   moved to the master, its places on maps ended and recorded in the master's history, its row
 *   and the rest deleted), and its state is emptied. Drop it from any map of states the caller
 *   keeps, and run no more work for it: events the caller still has for it belong to the master.
 *   Work already in `effects` for it is taken care of: its history rows become the master's, its
 *   pending writes are dropped, webhook calls and errors are the master's.
 * - Rules: the master keeps every value it has; an empty field takes the other's value (email and
 *   external id too: the other's row is deleted before the master's are written); Last activity is
 *   the later of the two; tags unite. Scores (the built-in Score and each scoring model's field):
 *   the master keeps its own, unless the other was anonymous (no email, no external id) — then the
 *   other's points are added, less what its condition rules gave (those are re-checked on the
 *   master's merged fields), within the model's bounds. The other's held condition rules and
 *   timers go with it.
 *
 * Throws (a programming error) when both are the same contact.
 */
export async function mergeContacts(
  rt: Runtime, s: Store, master: ContactState, other: ContactState, now: number, effects: Effects, via: MergeVia,
  /** Who merged them by hand (SPEC §12: the history names the person). */
  by?: CauseActor,
): Promise<MergeSummary> {
  if (master.id === other.id) throw new Error(`mergeContacts: contact "${master.id}" cannot be merged into itself`);
  const world = rt.world;
  const cause: Cause = { merge: by ? { from: other.id, via, by } : { from: other.id, via } };
  const anonymous = isAnonymous(other);
  const scored = scoreFields(world);
  const label = (key: string) => world.fields.get(key)?.label ?? key;

  // What the master takes: empty fields, the later activity, the tags, an anonymous other's points.
  const set: Record<string, FieldValue> = {};
  for (const f of world.fields.all()) {
    const mine = master.fields[f.key];
    const theirs = other.fields[f.key];
    if (f.key === 'tags' || f.key === 'created_at' || scored.has(f.key) || isEmpty(theirs)) continue;
    if (f.key === 'last_activity_at') {
      if (typeof theirs === 'number' && (typeof mine !== 'number' || theirs > mine)) set[f.key] = theirs;
    } else if (isEmpty(mine)) {
      set[f.key] = theirs;
    }
  }
  const tags = mergeTags(master.tags, other.tags);
  const tagsAdded = tags.slice(master.tags.length);
  if (tagsAdded.length) set.tags = tags;
  const before = new Map<string, { before: number | null; added: number }>();
  for (const [field, model] of scored) {
    if (!world.fields.get(field)) continue;
    const mine = num(master.fields[field]);
    const theirs = num(other.fields[field]);
    const added = anonymous && theirs !== null ? theirs - (model ? conditionPoints(other, model) : 0) : 0;
    before.set(field, { before: mine, added });
    if (added !== 0) set[field] = model ? clampScore(model.model, (mine ?? 0) + added) : (mine ?? 0) + added;
  }

  // The other's rows: its history and events become the master's, its pending work goes too.
  const pending = forgetPending(effects, other.id, master.id).map((c) => ({ ...c, cause: { mergedFrom: other.id, ...c.cause } as MovedCause }));
  // Each moved row names where it came from (`mergedFrom` in its cause): the master's own timeline
  // of a field (its score over time, its value at a past moment) is read without the other's rows.
  const tag = `{"mergedFrom":${JSON.stringify(other.id)},`;
  const historyMoved = Number((await s.db.updateTable('history')
    .set({ contact_id: master.id, cause_json: sql<string>`${tag} || substr(cause_json, 2)` })
    .where('contact_id', '=', other.id)
    .executeTakeFirst()).numUpdatedRows);
  const eventsMoved = Number((await s.db.updateTable('events').set({ contact_id: master.id }).where('contact_id', '=', other.id).executeTakeFirst()).numUpdatedRows);
  await moveAnonymousIds(s.db, other.id, master.id);
  const mapsLeft = [...other.positions.values()].map((p) => {
    const map = world.maps.find((m) => m.id === p.mapId);
    return { mapId: p.mapId, mapName: map?.doc.name ?? p.mapId, element: p.elementId, elementLabel: map?.elements.get(p.elementId)?.label ?? null };
  });
  const rows: FieldChange[] = [
    ...pending,
    { contactId: master.id, at: now, field: MERGE_HISTORY_FIELD, from: other.id, to: master.id, cause },
    // Where the other was on maps: ended, as a publish records a contact leaving a removed element.
    ...mapsLeft.map((m) => ({ contactId: master.id, at: now, field: `map:${m.mapId}`, from: m.element, to: null, cause })),
  ];
  await s.insertHistory(rows);
  // Its row goes before the master's values are written: an email or external id is unique.
  await s.deleteContact(other.id);
  other.positions.clear();
  other.rules?.clear();
  other.fields = {};
  other.tags = [];

  if (Object.keys(set).length) processWork(world, master, { kind: 'set', values: set, cause }, now, effects);
  effects.merges.push({ contactId: master.id, from: other.id, at: now });

  const scores: ScoreChange[] = [...before].map(([field, b]) => ({ field, label: label(field), before: b.before, after: num(master.fields[field]), added: b.added }));
  return {
    from: other.id,
    into: master.id,
    anonymous,
    fields: Object.keys(set)
      .filter((k) => k !== 'tags' && !scored.has(k))
      .map((k) => ({ field: k, label: label(k), value: show(world.fields, k, set[k]) })),
    tagsAdded,
    eventsMoved,
    historyMoved: historyMoved + pending.length,
    score: scores.find((x) => x.field === 'score') ?? { field: 'score', label: label('score'), before: null, after: null, added: 0 },
    scores,
    mapsLeft,
  };
}

/** Thrown to roll a dry run back, carrying what it found. */
class DryRun extends Error {
  constructor(readonly result: { master: ContactState; summary: MergeSummary }) {
    super('dry run');
  }
}

/**
 * Merges contact `otherId` into `masterId` by hand, in a transaction of its own: 404 for an unknown
 * id, 400 for a contact merged into itself. With `dryRun`, the merge runs and is rolled back: the
 * summary (and the master as it would be) says what it would do, and nothing changes.
 */
export async function mergeByHand(
  rt: Runtime, masterId: string, otherId: string,
  /** `by`: who merges (the history names them); `within`: runs in the merge's transaction once it is written (its audit entry). */
  opts: { dryRun?: boolean; by?: CauseActor; within?: (s: Store, master: ContactState, other: ContactState, summary: MergeSummary, now: number) => Promise<void> } = {},
): Promise<{ master: ContactState; summary: MergeSummary }> {
  if (masterId === otherId) throw badRequest(`A contact cannot be merged into itself: pick another contact than "${masterId}" to merge into it`);
  try {
    return await rt.lock.run(() =>
      rt.transaction(async (s) => {
        const now = rt.clock.now();
        const states = await s.loadContacts([masterId, otherId]);
        const master = states.get(masterId);
        const other = states.get(otherId);
        if (!master) throw notFound(`No contact with id "${masterId}"`);
        if (!other) throw notFound(`No contact with id "${otherId}" to merge: it may have been merged or deleted already`);
        await rt.catchUpFirst(s, states, now);
        const effects = new Effects({ stepBudget: MAX_REQUEST_STEPS });
        // The other as it was, for `within` (the merge empties it).
        const otherBefore: ContactState = { ...other, fields: { ...other.fields }, tags: [...other.tags] };
        const summary = await mergeContacts(rt, s, master, other, now, effects, 'api', opts.by);
        const left = new Map([[master.id, master]]);
        await rt.catchUpAfter(s, left, now, effects);
        if (opts.dryRun) throw new DryRun({ master, summary: { ...summary, score: final(summary.score, master), scores: summary.scores.map((x) => final(x, master)) } });
        await rt.flush(s, effects, now);
        const done = { ...summary, score: final(summary.score, master), scores: summary.scores.map((x) => final(x, master)) };
        await opts.within?.(s, master, otherBefore, done, now);
        return { master, summary: done };
      }),
    );
  } catch (e) {
    if (e instanceof DryRun) return e.result;
    throw e;
  }
}

/** A score as the master holds it once everything the merge made due now has run. */
const final = (x: ScoreChange, master: ContactState): ScoreChange => ({ ...x, after: num(master.fields[x.field]) });
