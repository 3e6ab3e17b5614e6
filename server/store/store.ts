import type { Kysely, LogConfig, Transaction } from 'kysely';
import type { FieldValue } from '../../engine/elements/types.js';
import type { FieldDef, FieldDefinition } from '../../engine/schema/field.js';
import type { ContactState, FieldChange, Position } from '../../engine/state.js';
import * as activity from './activity-store.js';
import type { ElementStats, HistoryEntry } from './activity-store.js';
import * as contacts from './contacts-store.js';
import { FieldCatalog, countValues, createFields, listFields, syncBuiltinFields, updateField, type FieldEdit } from './fields-store.js';
import * as maps from './maps-store.js';
import type { MapRecord, MapStatus } from './maps-store.js';
import { migrate } from './migrations.js';
import * as positions from './positions-store.js';
import type { ContactPosition } from './positions-store.js';
import type { CountedRules } from '../scoring/ledger-store.js';
import type { DB } from './schema.js';
import { openSqlite } from './sqlite.js';
import { isPostgresUrl, openPostgres } from './postgres.js';
import { bindDirect, dialectOf, type Dialect, type DirectConnection } from './dialect.js';
import * as timers from './timers-store.js';
import * as scoring from './scoring-store.js';
import type { ModelRecord } from './scoring-store.js';
import type { DateTimer } from './timers-store.js';
import { RowStatement } from './row-statement.js';
import * as scores from './scores-query.js';
import type { ScoreDistribution, ScoreRank } from './scores-query.js';
import type { Bracket } from '../../engine/scoring/model.js';
import * as retention from './retention-store.js';
import type { PrunableTable, Space, SweepPage } from './retention-store.js';

export type { ContactPosition, DateTimer, ElementStats, HistoryEntry, MapRecord, MapStatus, ModelRecord, PrunableTable, ScoreDistribution, ScoreRank, Space, SweepPage };

/** The database could not be opened, reached or migrated; the message says why. */
export class DatabaseUnavailable extends Error {}

/** Thrown inside a transaction to have it rolled back and run again (see `Store.transaction`). */
export class RetryTransaction extends Error {}

/** How often a transaction runs again after a deadlock, a serialization failure or a unique-key race. */
const ATTEMPTS = 8;

/** A setting's value (read at the start of every group of event requests: see `checkMeta`). */
const metaValue = new RowStatement<{ key: string }>((db, p) => db.selectFrom('meta').select('value').where('key', '=', p('key')));

/** Where and how to open a database (see `Store.open`). */
export interface OpenOptions {
  /** SQLite: fsync every commit. */
  durable?: boolean;
  /** Kysely's query log. */
  log?: LogConfig;
  /** SQLite: `false` runs the hot statements through Kysely as other dialects do (tests cover both paths). */
  direct?: boolean;
  /** PostgreSQL: the lease on a batch's claims, ms (see `PostgresOptions.leaseMs`). */
  leaseMs?: number;
  /** PostgreSQL: connections in the pool. */
  poolSize?: number;
}

/**
 * The engine's storage: one entry point over Kysely, on SQLite or PostgreSQL (the few statements
 * they spell differently sit in `sqlite.ts` and `postgres.ts`, behind `dialect.ts`).
 * Every method is one unit of work; wrap several in `transaction` to make them atomic.
 */
export class Store {
  /** The Kysely instance, or the transaction this store is bound to. */
  readonly db: Kysely<DB> | Transaction<DB>;
  readonly #fields: FieldCatalog;
  readonly #direct: DirectConnection | undefined;
  /** Whether scoring models run (then loads read the ledger), and the rules whose recent grants a load reads: set by the runtime. */
  readonly #ledger: { active: boolean; counted: CountedRules };

  private constructor(db: Kysely<DB> | Transaction<DB>, fields: FieldCatalog, direct: DirectConnection | undefined, ledger: { active: boolean; counted: CountedRules } = { active: false, counted: new Map() }) {
    this.db = db;
    this.#fields = fields;
    this.#direct = direct;
    this.#ledger = ledger;
    if (direct) bindDirect(db, direct);
  }

  /**
   * Opens (creating and migrating as needed) a database: a PostgreSQL URL (`postgres://…`), else
   * the SQLite database at `location`, a file or `':memory:'`. A database that cannot be opened
   * or reached throws, saying why.
   */
  static async open(location: string, opts: OpenOptions = {}): Promise<Store> {
    let db: Kysely<DB>;
    let direct: DirectConnection | undefined;
    try {
      if (isPostgresUrl(location)) {
        db = await openPostgres(location, opts);
      } else {
        const opened = openSqlite(location, opts);
        db = opened.db;
        direct = opts.direct === false ? undefined : opened.direct;
      }
    } catch (err) {
      throw new DatabaseUnavailable((err as Error).message, { cause: err });
    }
    try {
      await migrate(db);
      const store = new Store(db, new FieldCatalog(), direct);
      await store.transaction((s) => syncBuiltinFields(s.db, s.#fields));
      return store;
    } catch (err) {
      await db.destroy();
      throw new DatabaseUnavailable((err as Error).message, { cause: err });
    }
  }

  /** Closes the database. */
  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** What the database is, and what it can share between processes. */
  get dialect(): Dialect {
    return dialectOf(this.db);
  }

  // — Scoring models (SPEC §5) —

  /** Every scoring model, in creation order. */
  async listModels(): Promise<ModelRecord[]> {
    return scoring.listModels(this.db);
  }

  async getModel(id: string): Promise<ModelRecord | null> {
    return scoring.getModel(this.db, id);
  }

  /** Creates or replaces a model's document. */
  async saveModel(id: string, doc: unknown, nextDecayAt: number | null, now: number): Promise<ModelRecord> {
    return this.transaction((s) => scoring.saveModel(s.db, id, doc, nextDecayAt, now));
  }

  /** Deletes a model and what it kept per contact; the scores it wrote stay. */
  async deleteModel(id: string): Promise<boolean> {
    return this.transaction((s) => scoring.deleteModel(s.db, id));
  }

  async setNextDecay(id: string, at: number | null): Promise<void> {
    await scoring.setNextDecay(this.db, id, at);
  }

  /** Remembers which scoring condition rules hold for which contacts. */
  async writeRuleStates(rows: readonly { contactId: string; modelId: string; ruleId: string; holds: boolean; points?: number }[]): Promise<void> {
    await this.transaction((s) => scoring.writeRuleStates(s.db, rows));
  }

  async getDecayRun(modelId: string, day: string): Promise<{ cursor: string | null; finished: boolean } | null> {
    return scoring.getDecayRun(this.db, modelId, day);
  }

  async saveDecayRun(modelId: string, day: string, cursor: string | null, finished: boolean, at: number): Promise<void> {
    await scoring.saveDecayRun(this.db, modelId, day, cursor, finished, at);
  }

  /** Ids of contacts with a non-zero value in a number field, after `after`, in id order. */
  async idsWithValue(field: string, after: string | null, limit: number, createdBy?: number): Promise<string[]> {
    return scoring.idsWithValue(this.db, field, after, limit, createdBy);
  }

  /**
   * Runs `fn` with a store bound to one transaction: committed when it resolves, rolled back when
   * it throws. Nested calls join the outer transaction. While it runs, use only the store given to
   * `fn`: the connection is held, so a query on the outer store would wait for the commit.
   */
  async transaction<T>(fn: (s: Store) => Promise<T>, opts: { beforeRetry?: (err: unknown) => Promise<void> } = {}): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    for (let attempt = 1; ; attempt++) {
      // The transaction sees its own copy of the field catalog, handed back only on commit
      // (a rolled-back createFields must not leave columns in the catalog that do not exist).
      const fields = this.#fields.copy();
      try {
        const result = await this.db.transaction().execute((trx) => fn(new Store(trx, fields, this.#direct, this.#ledger)));
        this.#fields.byKey = fields.byKey;
        return result;
      } catch (err) {
        // On a shared database another process may have deadlocked with this one, or taken a unique
        // key (an event id, an email) a moment before: the transaction runs again and sees that.
        // `fn` must therefore read what it decides on inside the transaction.
        if (attempt >= ATTEMPTS || !(err instanceof RetryTransaction || this.dialect.isRetryable(err))) throw err;
        await opts.beforeRetry?.(err);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  // — Sharing work between processes (PostgreSQL; on SQLite the one writer holds everything) —

  /** Claims who is due on a map at or before `upTo` for this transaction (see `Dialect.claimDuePositions`). */
  async claimDueContacts(mapId: string, upTo: number, limit: number): Promise<{ contactId: string; dueAt: number }[]> {
    return this.dialect.claimDuePositions(this.db, mapId, upTo, limit);
  }

  /** Claims date timers due at or before `upTo` for this transaction. */
  async claimDueDateTimers(mapId: string, upTo: number, limit: number): Promise<(DateTimer & { dueAt: number })[]> {
    return (await this.dialect.claimDueDateTimers(this.db, mapId, upTo, limit)).map((t) => ({ mapId, ...t }));
  }

  /** Takes a job (a cron tick, a day's degradation) for this transaction unless another process holds it. */
  async tryJobLock(key: string): Promise<boolean> {
    return this.dialect.tryJobLock(this.db, key);
  }

  /** Holds the world lock shared for this transaction (engine work). */
  async shareWorld(): Promise<void> {
    await this.dialect.shareWorld(this.db);
  }

  /** Runs `fn` holding the world lock alone: a change to maps, fields or models, across processes. */
  async exclusively<T>(fn: () => Promise<T>): Promise<T> {
    return this.dialect.exclusively(this.db, fn);
  }

  /** Reads a setting; null when unset. */
  async getMeta(key: string): Promise<string | null> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value ?? null;
  }

  /**
   * Reads a setting and hands it to `check`, which may refuse it by throwing. In a transaction on
   * a database a statement costs a round trip to (see `Dialect.defer`), the read goes with the
   * transaction's next statement, and the refusal is that statement's error.
   */
  async checkMeta(key: string, check: (value: string | null) => void): Promise<void> {
    if (this.db.isTransaction && this.dialect.defer) {
      await this.dialect.defer(this.db, metaValue.with(this.db, { key }).compile(), (rows) => check((rows[0] as { value: string } | undefined)?.value ?? null));
      return;
    }
    check((await metaValue.all<{ value: string }>(this.db, { key }))[0]?.value ?? null);
  }

  /** Writes a setting. */
  async setMeta(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  // ---- fields ----------------------------------------------------------------------------------

  /** Every field, built-in ones first in their documented order; refreshes the field catalog. */
  async listFields(): Promise<FieldDef[]> {
    return listFields(this.db, this.#fields);
  }

  /** Creates custom fields (row, column, index for numbers and dates); same key and type: skipped; another type or a taken label: throws, creating none. */
  async createFields(defs: FieldDefinition[], now: number): Promise<void> {
    await this.transaction((s) => createFields(s.db, s.#fields, defs, now));
  }

  /** Changes a custom field (label, type, decimals, default); see `updateField`. */
  async updateField(key: string, change: FieldEdit): Promise<void> {
    await this.transaction((s) => updateField(s.db, s.#fields, key, change));
  }

  /** How many contacts hold a value in a field. */
  async countFieldValues(key: string): Promise<number> {
    return countValues(this.db, key);
  }

  // ---- maps ------------------------------------------------------------------------------------

  /** Creates a draft map (rev 1) after the others. */
  async insertMap(m: { id: string; name: string; doc: unknown; now: number }): Promise<MapRecord> {
    return this.transaction((s) => maps.insertMap(s.db, m));
  }

  /** One map with its parsed draft, or null. */
  async getMap(id: string): Promise<MapRecord | null> {
    return maps.getMap(this.db, id);
  }

  /** Every map, in creation order. */
  async listMaps(): Promise<MapRecord[]> {
    return maps.listMaps(this.db);
  }

  /** Saves a draft if `expectedRev` is current (rev + 1); 'conflict' when stale; null when no such map. */
  async updateDraft(id: string, doc: unknown, name: string, expectedRev: number, now: number): Promise<MapRecord | 'conflict' | null> {
    return this.transaction((s) => maps.updateDraft(s.db, id, doc, name, expectedRev, now));
  }

  /** Sets a map's status and/or published version. */
  async setMapState(id: string, s: { status?: MapStatus; version?: number }, now: number): Promise<void> {
    await maps.setMapState(this.db, id, s, now);
  }

  /** Deletes a map with its versions, positions, date timers, schedules and stats. */
  async deleteMap(id: string): Promise<void> {
    await this.transaction((s) => maps.deleteMap(s.db, id));
  }

  /** Stores a published version of a map. */
  async insertVersion(mapId: string, version: number, doc: unknown, now: number, author: string | null = null): Promise<void> {
    await maps.insertVersion(this.db, mapId, version, doc, now, author);
  }

  /** A published version's document, parsed; null when there is none. */
  async getVersion(mapId: string, version: number): Promise<unknown | null> {
    return maps.getVersion(this.db, mapId, version);
  }

  /** A map's versions, oldest first. */
  async listVersions(mapId: string): Promise<{ version: number; publishedAt: number; author: string | null }[]> {
    return maps.listVersions(this.db, mapId);
  }

  // ---- contacts --------------------------------------------------------------------------------

  /**
   * Contacts with their fields (empty ones omitted), tags, positions and (unless `rules: false`)
   * held scoring rules; unknown ids are absent. Inside a transaction on a shared database the
   * contacts are locked first (in id order), so what the transaction decides from them holds until
   * it commits; `locked`: this transaction claimed them already.
   */
  async loadContacts(ids: readonly string[], opts?: { rules?: boolean; locked?: boolean }): Promise<Map<string, ContactState>> {
    if (this.db.isTransaction && !opts?.locked && this.dialect.shared) await this.dialect.lockContacts(this.db, ids, { later: true });
    return contacts.loadContacts(this.db, this.#fields, ids, { ...opts, ledger: this.#ledger.active ? this.#ledger.counted : undefined });
  }

  /**
   * Tells loads what to read of the scoring ledger: nothing while no model runs; else accounts, held
   * rules' values, and the latest grant times of the rules that count them (`maxTimes`, `repeatMultiplier`).
   */
  setLedgerPlan(active: boolean, counted: CountedRules): void {
    this.#ledger.active = active;
    this.#ledger.counted = counted;
  }

  /** Ids by email, matched ignoring case and surrounding spaces: normalized email → id. */
  async findIdsByEmail(emails: readonly string[]): Promise<Map<string, string>> {
    return contacts.findIdsByEmail(this.db, emails);
  }

  /** Inserts new contacts with their tags; a duplicate id or email (ignoring case) throws. */
  async insertContacts(rows: { id: string; fields: Record<string, FieldValue>; tags: readonly string[]; createdAt: number }[]): Promise<void> {
    await this.transaction((s) => contacts.insertContacts(s.db, s.#fields, rows));
  }

  /**
   * Locks contacts for the rest of the transaction on a shared database, with the transaction's
   * next statement (see `Dialect.lockContacts`); load them next with `locked: true`.
   */
  async lockContactsLater(ids: readonly string[]): Promise<void> {
    if (this.db.isTransaction && this.dialect.shared) await this.dialect.lockContacts(this.db, ids, { later: true });
  }

  /** The stored date timers of these contacts due by `upTo`, read with the transaction's next statement where it can (see `timers.dueDateTimersSoon`). */
  async dueDateTimersSoon(ids: readonly string[], upTo: number): Promise<() => (DateTimer & { dueAt: number })[] | undefined> {
    return timers.dueDateTimersSoon(this.db, ids, upTo);
  }

  /** Writes field values: one multi-row upsert per set of keys, touching only those columns. Unknown keys throw. */
  async writeContacts(rows: { id: string; values: Record<string, FieldValue> }[], now: number, opts: { existing?: boolean } = {}): Promise<void> {
    await this.transaction((s) => contacts.writeContacts(s.db, s.#fields, rows, now, opts));
  }

  /** Adds tags to contacts (present ones are kept). */
  async addTags(rows: { contactId: string; tag: string }[]): Promise<void> {
    await this.transaction((s) => contacts.addTags(s.db, rows));
  }

  /** Removes tags from contacts (absent ones are ignored). */
  async removeTags(rows: { contactId: string; tag: string }[]): Promise<void> {
    await this.transaction((s) => contacts.removeTags(s.db, rows));
  }

  /** Deletes a contact with its tags, positions, timers, history and events; false when there was none. */
  async deleteContact(id: string): Promise<boolean> {
    return this.transaction(async (s) => {
      // A batch in another process may hold the contact: wait for it, rather than delete under it.
      if (s.dialect.shared) await s.dialect.lockContacts(s.db, [id]);
      return contacts.deleteContact(s.db, id);
    });
  }

  /**
   * Contact ids in id order after `after` (null: from the start), at most `limit`: keyset pages for
   * bulk work. `createdBy`: only contacts created by then (a job due then passes by those created after it).
   */
  async contactIdsAfter(after: string | null, limit: number, createdBy?: number): Promise<string[]> {
    return contacts.contactIdsAfter(this.db, after, limit, createdBy);
  }

  /** How many contacts there are. */
  async contactCount(): Promise<number> {
    return contacts.contactCount(this.db);
  }

  // ---- positions -------------------------------------------------------------------------------

  /** Puts contacts at elements, replacing their place on those maps. */
  async upsertPositions(rows: ContactPosition[]): Promise<void> {
    await this.transaction((s) => positions.upsertPositions(s.db, rows));
  }

  /** Writes positions whose stored row is known (`prior`, null: none): only what changed. */
  async writePositions(rows: { position: ContactPosition; prior: Position | null }[]): Promise<void> {
    await this.transaction((s) => positions.writePositions(s.db, rows));
  }

  /** Takes contacts off maps. */
  async deletePositions(rows: { mapId: string; contactId: string }[]): Promise<void> {
    await this.transaction((s) => positions.deletePositions(s.db, rows));
  }

  /** A map's positions due at or before `upTo`, by due time then contact id. */
  async duePositions(mapId: string, upTo: number, limit: number): Promise<ContactPosition[]> {
    return positions.duePositions(this.db, mapId, upTo, limit);
  }

  /** Who is due on a map at or before `upTo`, by due time then contact id (from the due index alone). */
  async dueContacts(mapId: string, upTo: number, limit: number): Promise<{ contactId: string; dueAt: number }[]> {
    return positions.dueContacts(this.db, mapId, upTo, limit);
  }

  /** The earliest due time of a position on these maps, or null. */
  async nextDuePosition(mapIds: readonly string[]): Promise<number | null> {
    return positions.nextDuePosition(this.db, mapIds);
  }

  /** "Here now": contacts per element of a map. */
  async positionsByElement(mapId: string): Promise<Record<string, number>> {
    return positions.positionsByElement(this.db, mapId);
  }

  /** Relocates every contact at one element to another under a new version; returns how many. */
  async movePositions(mapId: string, fromElement: string, toElement: string, version: number): Promise<number> {
    return positions.movePositions(this.db, mapId, fromElement, toElement, version);
  }

  /** The contacts at any of these elements of a map. */
  async positionsAt(mapId: string, elementIds: readonly string[]): Promise<{ contactId: string; elementId: string }[]> {
    return positions.positionsAt(this.db, mapId, elementIds);
  }

  /** Marks every position of a map as under `version`. */
  async setVersionForMap(mapId: string, version: number): Promise<void> {
    await positions.setVersionForMap(this.db, mapId, version);
  }

  /** On resume: every `until condition` wait of the map is due now (overdue ones keep their time). */
  async recheckConditionsNow(mapId: string, now: number): Promise<void> {
    await positions.recheckConditionsNow(this.db, mapId, now);
  }

  // ---- date timers -----------------------------------------------------------------------------

  /** Arms, re-arms or marks fired (`dueAt: null`) date timers. */
  async upsertDateTimers(rows: DateTimer[]): Promise<void> {
    await this.transaction((s) => timers.upsertDateTimers(s.db, rows));
  }

  /** Deletes date timers. */
  async deleteDateTimers(rows: { mapId: string; elementId: string; contactId: string }[]): Promise<void> {
    await this.transaction((s) => timers.deleteDateTimers(s.db, rows));
  }

  /** A map's date timers due at or before `upTo`, by due time then contact id. */
  async dueDateTimers(mapId: string, upTo: number, limit: number): Promise<(DateTimer & { dueAt: number })[]> {
    return timers.dueDateTimers(this.db, mapId, upTo, limit);
  }

  /** The earliest due time of a date timer on these maps, or null. */
  async nextDueDateTimer(mapIds: readonly string[]): Promise<number | null> {
    return timers.nextDueDateTimer(this.db, mapIds);
  }

  /** Arms a date trigger for every contact with a value in one statement (fired stays fired for the same value; new values re-arm; pending ones take the new offset). */
  async armDateTimers(mapId: string, elementId: string, fieldKey: string, offsetMs: number): Promise<void> {
    this.#fields.require(fieldKey);
    await timers.armDateTimers(this.db, mapId, elementId, fieldKey, offsetMs);
  }

  /** Deletes a map's date timers except those of these elements. */
  async deleteDateTimersExcept(mapId: string, elementIds: readonly string[]): Promise<void> {
    await timers.deleteDateTimersExcept(this.db, mapId, elementIds);
  }

  // ---- schedules -------------------------------------------------------------------------------

  /** The next tick of each cron trigger, of one map or all, earliest first. */
  async getSchedules(mapId?: string): Promise<{ mapId: string; elementId: string; nextAt: number }[]> {
    return timers.getSchedules(this.db, mapId);
  }

  /** Sets the next tick of cron triggers. */
  async upsertSchedules(rows: { mapId: string; elementId: string; nextAt: number }[]): Promise<void> {
    await this.transaction((s) => timers.upsertSchedules(s.db, rows));
  }

  /** Deletes a map's schedules except those of these elements. */
  async deleteSchedulesExcept(mapId: string, elementIds: readonly string[]): Promise<void> {
    await timers.deleteSchedulesExcept(this.db, mapId, elementIds);
  }

  // ---- stats, events, history ------------------------------------------------------------------

  /** Adds to per-element "were here" and error counts; a `lastError` replaces the stored one. */
  async bumpStats(rows: { mapId: string; elementId: string; wereHere: number; errors: number; lastError?: string; at: number }[]): Promise<void> {
    await this.transaction((s) => activity.bumpStats(s.db, rows));
  }

  /** Per-element counts of a map: here now, were here, errors and the last error. */
  async getStats(mapId: string): Promise<Record<string, ElementStats>> {
    return activity.getStats(this.db, mapId);
  }

  /** Which of these event ids were already accepted, and the contacts these emails name: one round trip where it can (see `activity.knownEventsAndEmails`). */
  async knownEventsAndEmails(ids: readonly string[], emails: readonly string[]): Promise<{ existing: Set<string>; byEmail: Map<string, string> }> {
    return activity.knownEventsAndEmails(this.db, ids, emails);
  }

  /** Which of these event ids were already accepted. */
  async existingEventIds(ids: readonly string[]): Promise<Set<string>> {
    return activity.existingEventIds(this.db, ids);
  }

  /** Stores accepted events (an id already stored throws: see `activity.insertEvents`). */
  async insertEvents(rows: { id: string; contactId: string; type: string; at: number; props: Record<string, unknown> | null; acceptedAt: number }[]): Promise<void> {
    await this.transaction((s) => activity.insertEvents(s.db, rows));
  }

  /** Records field changes in the order given. */
  async insertHistory(changes: readonly FieldChange[]): Promise<void> {
    await this.transaction((s) => activity.insertHistory(s.db, changes));
  }

  /** A contact's field changes, newest first (`beforeId` pages, `field` filters, no `limit`: all). */
  async contactHistory(contactId: string, opts?: { limit?: number; field?: string; beforeId?: number }): Promise<HistoryEntry[]> {
    return activity.contactHistory(this.db, contactId, opts);
  }

  /** Every contact's field changes after id `afterId`, oldest first, at most `limit` (0 reads from the start). */
  async historyAfter(afterId: number, limit: number): Promise<(HistoryEntry & { contactId: string })[]> {
    return activity.historyAfter(this.db, afterId, limit);
  }

  // ---- scores (SPEC §5) ------------------------------------------------------------------------

  /** Percent ranks of some contacts on a number field (empty counts as 0); null for ids that are not contacts. */
  async percentRanks(field: string, contactIds: string[]): Promise<Map<string, number | null>> {
    return scores.percentRanks(this.db, field, contactIds);
  }

  /** Scores (null when empty) and percent ranks of some contacts on a number field; ids that are not contacts are absent. */
  async scoreRanks(field: string, contactIds: readonly string[]): Promise<Map<string, ScoreRank>> {
    return scores.scoreRanks(this.db, field, contactIds);
  }

  /** Count, mean, median, 10-point bands over [min, max] and bracket counts of a number field (empty counts as 0). */
  async scoreDistribution(field: string, brackets: Bracket[] | undefined, min: number, max: number): Promise<ScoreDistribution> {
    return scores.scoreDistribution(this.db, field, brackets, min, max);
  }

  /** Creates the index on a field's column unless it exists. */
  async ensureIndex(field: string): Promise<void> {
    await scores.ensureIndex(this.db, field);
  }

  // ---- retention (`scoremap prune`) ------------------------------------------------------------

  /** The next `limit` rows of history or events after `after`, in key order, and which are from before `before`. */
  async sweepPage(table: PrunableTable, after: number | string | null, limit: number, before: number): Promise<SweepPage> {
    return retention.sweepPage(this.db, table, after, limit, before);
  }

  /** Deletes history or event rows by key, in one transaction; answers how many went. */
  async deleteRows(table: PrunableTable, keys: readonly (number | string)[]): Promise<number> {
    return this.transaction((s) => retention.deleteRows(s.db, table, keys));
  }

  /** The file's pages, free pages and auto-vacuum mode. */
  async space(): Promise<Space> {
    return retention.space(this.db);
  }

  /** Gives up to `pages` free pages back to the file system (incremental auto-vacuum), or rewrites the file (`'full'`, which also turns incremental auto-vacuum on). */
  async vacuum(how: { pages: number } | 'full'): Promise<void> {
    if (how === 'full') await retention.fullVacuum(this.db);
    else await retention.incrementalVacuum(this.db, how.pages);
  }

  /** Moves the write-ahead log into the file and truncates it. */
  async checkpoint(): Promise<void> {
    await retention.checkpoint(this.db);
  }
}
