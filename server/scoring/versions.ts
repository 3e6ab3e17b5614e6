/**
 * Scoring model versions (SPEC §9): like a map's, every saved document of a model is kept,
 * numbered 1, 2, 3, … per model, with when and by whom it was saved. Store functions take the
 * Kysely database or the transaction of the change as their first argument.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';

/** One saved version of a model, without its document. */
export interface ModelVersion {
  readonly version: number;
  /** When it was saved (ms since the epoch). */
  readonly savedAt: number;
  /** Who saved it, as the audit log names them (SPEC §12); null for versions saved before that, and for the version 1 a migration made. */
  readonly author: string | null;
}

/** A version with its document. */
export interface ModelVersionDoc extends ModelVersion {
  readonly doc: unknown;
}

/**
 * Keeps `doc` as the model's next version, unless it is the document of its latest version
 * (saving a model unchanged makes no new version). Answers the number of the version that holds
 * `doc`, and whether this call made it. `author`: who saved it, as the audit log names them.
 * Call it in the transaction that saves the model.
 */
export async function recordModelVersion(db: Kysely<DB>, modelId: string, doc: unknown, now: number, author: string | null): Promise<{ version: number; made: boolean }> {
  const json = JSON.stringify(doc);
  const latest = await db.selectFrom('scoring_model_versions').select(['version', 'doc_json'])
    .where('model_id', '=', modelId).orderBy('version', 'desc').limit(1).executeTakeFirst();
  // Compared as values: the same model with its keys in another order is the same document.
  if (latest && (latest.doc_json === json || isDeepStrictEqual(JSON.parse(latest.doc_json), JSON.parse(json)))) return { version: latest.version, made: false };
  const version = (latest?.version ?? 0) + 1;
  await db.insertInto('scoring_model_versions').values({ model_id: modelId, version, doc_json: json, saved_at: now, author }).execute();
  return { version, made: true };
}

/** A model's versions, oldest first (none for a model that does not exist). */
export async function listModelVersions(db: Kysely<DB>, modelId: string): Promise<ModelVersion[]> {
  const rows = await db.selectFrom('scoring_model_versions').select(['version', 'saved_at', 'author'])
    .where('model_id', '=', modelId).orderBy('version').execute();
  return rows.map((r) => ({ version: r.version, savedAt: r.saved_at, author: r.author }));
}

/** One version of a model with its document, or null when the model has no such version. */
export async function getModelVersion(db: Kysely<DB>, modelId: string, version: number): Promise<ModelVersionDoc | null> {
  const r = await db.selectFrom('scoring_model_versions').selectAll()
    .where('model_id', '=', modelId).where('version', '=', version).executeTakeFirst();
  return r ? { version: r.version, savedAt: r.saved_at, author: r.author, doc: JSON.parse(r.doc_json) } : null;
}

/** Forgets every version of a model (it was deleted). Call it in the transaction that deletes the model. */
export async function deleteModelVersions(db: Kysely<DB>, modelId: string): Promise<void> {
  await db.deleteFrom('scoring_model_versions').where('model_id', '=', modelId).execute();
}
