import { Migrator, sql } from 'kysely';
import type { CreateTableBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import { dialectOf } from './dialect.js';
import { BUILTIN_FIELDS, TEAM_FIELDS, normalizeLabel } from '../../engine/schema/field.js';
import { columnType, fieldColumn } from './columns.js';


/** The columns of `contacts` for the built-in fields, typed from `BUILTIN_FIELDS` (tags have none). */
function withBuiltinFieldColumns(table: CreateTableBuilder<'contacts', string>): CreateTableBuilder<'contacts', string> {
  let t = table;
  for (const f of BUILTIN_FIELDS) if (f.type !== 'tags') t = t.addColumn(fieldColumn(f.key), columnType(f.type));
  return t;
}

/**
 * Runs a migration's steps in one transaction. Kysely's Migrator already does so where the dialect
 * declares transactional DDL (PostgreSQL); for SQLite it does not, though SQLite's DDL is
 * transactional too — so a migration that fails halfway leaves nothing behind there either.
 */
function atomic(up: (db: Kysely<any>) => Promise<void>): Migration {
  return { up: (db) => (db.isTransaction ? up(db) : db.transaction().execute(up)) };
}

const init = atomic(async (db) => {
    await db.schema
      .createTable('meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('fields')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('label_norm', 'text', (c) => c.notNull().unique())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('decimals', 'integer')
      .addColumn('default_json', 'text')
      .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await withBuiltinFieldColumns(
      db.schema
        .createTable('contacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // Unique, NULLs allowed: a contact without an email does not collide with another.
        .addColumn('email_norm', 'text', (c) => c.unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull()),
    ).execute();
    for (const key of ['score', 'last_activity_at', 'created_at']) {
      await db.schema.createIndex(`contacts_${fieldColumn(key)}_idx`).on('contacts').column(fieldColumn(key)).execute();
    }
    await db
      .insertInto('fields')
      .values(
        BUILTIN_FIELDS.map((f) => ({
          key: f.key,
          label: f.label,
          label_norm: normalizeLabel(f.label),
          type: f.type,
          decimals: f.decimals ?? null,
          default_json: f.default === undefined ? null : JSON.stringify(f.default),
          builtin: 1,
          created_at: 0,
        })),
      )
      .execute();

    await db.schema
      .createTable('contact_tags')
      .addColumn('contact_id', 'text', (c) => c.notNull())
      .addColumn('tag', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('contact_tags_pk', ['contact_id', 'tag'])
      .execute();
    await db.schema.createIndex('contact_tags_tag_idx').on('contact_tags').column('tag').execute();

    await db.schema
      .createTable('maps')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'integer', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('draft_json', 'text', (c) => c.notNull())
      .addColumn('rev', 'integer', (c) => c.notNull())
      .addColumn('version', 'integer')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('map_versions')
      .addColumn('map_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('doc_json', 'text', (c) => c.notNull())
      .addColumn('published_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('map_versions_pk', ['map_id', 'version'])
      .execute();

    await db.schema
      .createTable('positions')
      .addColumn('map_id', 'text', (c) => c.notNull())
      .addColumn('contact_id', 'text', (c) => c.notNull())
      .addColumn('element_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('entered_at', 'bigint', (c) => c.notNull())
      .addColumn('due_at', 'bigint')
      .addColumn('timeout_at', 'bigint')
      .addColumn('on_condition', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('stuck', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('positions_pk', ['map_id', 'contact_id'])
      .execute();
    await db.schema.createIndex('positions_due_idx').on('positions').columns(['map_id', 'due_at']).execute();
    await db.schema.createIndex('positions_contact_idx').on('positions').column('contact_id').execute();
    await db.schema.createIndex('positions_element_idx').on('positions').columns(['map_id', 'element_id']).execute();

    await db.schema
      .createTable('date_timers')
      .addColumn('map_id', 'text', (c) => c.notNull())
      .addColumn('element_id', 'text', (c) => c.notNull())
      .addColumn('contact_id', 'text', (c) => c.notNull())
      .addColumn('armed_value', 'bigint', (c) => c.notNull())
      .addColumn('due_at', 'bigint')
      .addPrimaryKeyConstraint('date_timers_pk', ['map_id', 'element_id', 'contact_id'])
      .execute();
    await db.schema.createIndex('date_timers_due_idx').on('date_timers').columns(['map_id', 'due_at']).execute();
    await db.schema.createIndex('date_timers_contact_idx').on('date_timers').column('contact_id').execute();

    await db.schema
      .createTable('schedules')
      .addColumn('map_id', 'text', (c) => c.notNull())
      .addColumn('element_id', 'text', (c) => c.notNull())
      .addColumn('next_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('schedules_pk', ['map_id', 'element_id'])
      .execute();

    await db.schema
      .createTable('element_stats')
      .addColumn('map_id', 'text', (c) => c.notNull())
      .addColumn('element_id', 'text', (c) => c.notNull())
      .addColumn('were_here', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('errors', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('last_error_at', 'bigint')
      .addPrimaryKeyConstraint('element_stats_pk', ['map_id', 'element_id'])
      .execute();

    await db.schema
      .createTable('events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('contact_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('props_json', 'text')
      .addColumn('accepted_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('events_contact_idx').on('events').columns(['contact_id', 'at']).execute();

    await db.schema
      .createTable('history')
      // The one dialect difference in the schema: an auto-numbered key whose ids are never reused
      // (SQLite: integer primary key autoincrement; PostgreSQL: bigint generated by default as identity).
      .addColumn('id', dialectOf(db).autoId.type, dialectOf(db).autoId.define)
      .addColumn('contact_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('from_json', 'text')
      .addColumn('to_json', 'text')
      .addColumn('cause_json', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('history_contact_idx').on('history').columns(['contact_id', 'id']).execute();
});

/** Built-in lead scoring (SPEC §5): models, the condition rules each contact holds, degradation runs. */
const scoring = atomic(async (db) => {
  await db.schema
    .createTable('scoring_models')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull().unique())
    .addColumn('doc_json', 'text', (c) => c.notNull())
    .addColumn('next_decay_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('scoring_rule_states')
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scoring_rule_states_pk', ['model_id', 'rule_id', 'contact_id'])
    .execute();
  await db.schema.createIndex('scoring_rule_states_contact_idx').on('scoring_rule_states').column('contact_id').execute();
  // One row per model and local day: the degradation of that day ran (or is running, up to `cursor`).
  await db.schema
    .createTable('degradation_runs')
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text')
    .addColumn('finished', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('degradation_runs_pk', ['model_id', 'day'])
    .execute();
});

/**
 * Due work is read in (due time, contact) order: with the contact in the index, SQLite walks it in
 * that order instead of sorting every due row for each batch (measured: the due-positions query of a
 * 100,000-contact decay tick went from 1,735 ms to 351 ms). The new indexes replace the old ones.
 */
const dueOrder = atomic(async (db) => {
  await db.schema.dropIndex('positions_due_idx').execute();
  await db.schema.createIndex('positions_due_idx').on('positions').columns(['map_id', 'due_at', 'contact_id']).execute();
  await db.schema.dropIndex('date_timers_due_idx').execute();
  await db.schema.createIndex('date_timers_due_idx').on('date_timers').columns(['map_id', 'due_at', 'contact_id', 'element_id']).execute();
});

/**
 * What each held condition rule actually gave (a bound may have cut it), so that going false takes
 * back that much and no more. Rows from before hold null: the rule's points, as until now.
 */
const rulePoints = atomic(async (db) => {
  await db.schema.alterTable('scoring_rule_states').addColumn('points', 'double precision').execute();
});

/**
 * Due work for a contact may run ahead of a bulk job's pages: an event for a contact that a cron
 * tick or a day's degradation has not reached yet runs the contact's share of the job first (time
 * order), and records it here so the job's pages pass the contact by. A job's rows go when it
 * finishes.
 */
const jobsDone = atomic(async (db) => {
  await db.schema
    .createTable('job_contacts_done')
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_contacts_done_pk', ['job', 'contact_id'])
    .execute();
});

/**
 * Actions out (SPEC §10): API keys with scopes, webhook subscriptions, and the outbox of
 * deliveries written in the same transaction as the change that caused them.
 */
const keysAndWebhooks = atomic(async (db) => {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    // The key's first characters, to tell keys apart in a list; the key itself is kept only as a hash.
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('origins_json', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events_json', 'text', (c) => c.notNull())
    .addColumn('fields_json', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    // active | paused | disabled (failing for 3 days)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('failing_since', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    // Auto-numbered: the order of deliveries within a stream (one destination, one contact).
    .addColumn('seq', dialectOf(db).autoId.type, dialectOf(db).autoId.define)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('webhook_id', 'text')
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    // pending | delivered | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_at', 'bigint')
    // A sender's claim while it posts: its token and until when (then another may take the row).
    .addColumn('claim', 'text')
    .addColumn('claimed_until', 'bigint')
    // When the 3 days of retries began: the first attempt, or the last redelivery.
    .addColumn('retry_from', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_at', 'bigint')
    .addColumn('last_status', 'integer')
    .addColumn('last_answer', 'text')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('webhook_deliveries_due_idx').on('webhook_deliveries').columns(['status', 'next_at']).execute();
  await db.schema.createIndex('webhook_deliveries_stream_idx').on('webhook_deliveries').columns(['stream', 'seq']).execute();
  await db.schema.createIndex('webhook_deliveries_hook_idx').on('webhook_deliveries').columns(['webhook_id', 'seq']).execute();
  await db.schema.createIndex('webhook_deliveries_created_idx').on('webhook_deliveries').columns(['created_at']).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('answer', 'text')
    .addColumn('error', 'text')
    .addColumn('ms', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_attempts_pk', ['delivery_id', 'n'])
    .execute();
});

/**
 * Identities (SPEC §10): `external_id` is unique (a sending app's user id names one person);
 * every anonymous id a contact was seen with finds it again, also after a merge moved them. A
 * database made before these built-in fields existed gets their columns and rows here (a newer one
 * has them from the first migration), so the unique index has its column.
 */
const identities = atomic(async (db) => {
  // A field's row and its column are made together (the first migration, or adding a field).
  const rows: { key: string }[] = await db.selectFrom('fields').select('key').where('key', 'in', ['external_id', 'anonymous_id']).execute();
  const have = new Set(rows.map((r) => r.key));
  for (const f of BUILTIN_FIELDS.filter((b) => (b.key === 'external_id' || b.key === 'anonymous_id') && !have.has(b.key))) {
    await db.schema.alterTable('contacts').addColumn(fieldColumn(f.key), columnType(f.type)).execute();
    await db
      .insertInto('fields')
      .values({ key: f.key, label: f.label, label_norm: normalizeLabel(f.label), type: f.type, decimals: null, default_json: null, builtin: 1, created_at: 0 })
      .execute();
  }
  await db.schema.createIndex('contacts_external_id_uq').on('contacts').column(fieldColumn('external_id')).unique().execute();
  await db.schema
    .createTable('anonymous_ids')
    .addColumn('anonymous_id', 'text', (c) => c.primaryKey())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('anonymous_ids_contact_idx').on('anonymous_ids').column('contact_id').execute();
});

/**
 * A delivery waits for the earlier pending ones of its stream (one destination, one contact): the
 * sender asks whether any is left before it, which reads only pending rows with this index, not
 * every delivered row of a long stream.
 */
const deliveryHeads = atomic(async (db) => {
  await db.schema.createIndex('webhook_deliveries_pending_idx').on('webhook_deliveries').columns(['stream', 'status', 'seq']).execute();
});

/**
 * Scoring models keep their versions like maps (SPEC §9): every save that changes a model's
 * document adds one, with who saved it (null until people exist, §12). A model already stored
 * gets version 1, its document as it is now, saved when it was last saved.
 */
const modelVersions = atomic(async (db) => {
  await db.schema
    .createTable('scoring_model_versions')
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('doc_json', 'text', (c) => c.notNull())
    .addColumn('saved_at', 'bigint', (c) => c.notNull())
    .addColumn('author', 'text')
    .addPrimaryKeyConstraint('scoring_model_versions_pk', ['model_id', 'version'])
    .execute();
  await db.insertInto('scoring_model_versions')
    .columns(['model_id', 'version', 'doc_json', 'saved_at'])
    .expression(db.selectFrom('scoring_models').select(['id', sql.lit(1).as('version'), 'doc_json', 'updated_at']))
    .execute();
});

/**
 * The points ledger (SPEC §9): every grant of points per contact and model, and each contact's
 * account in each model (its fixed points, its own decay clock, its inactivity steps). A model
 * keeps a decay clock too. Existing scores become grants here, so the ledger adds up from the
 * start: each held condition rule's recorded points, and an opening grant for the rest.
 */
const ledger = atomic(async (db) => {
  const auto = dialectOf(db).autoId;
  await db.schema
    .createTable('score_grants')
    .addColumn('id', auto.type, auto.define)
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text')
    .addColumn('source_json', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'text')
    .addColumn('points', 'double precision', (c) => c.notNull())
    .addColumn('rule_points', 'double precision')
    .addColumn('decays', 'integer', (c) => c.notNull())
    .addColumn('clock', 'double precision', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('ended', 'text')
    .execute();
  await db.schema.createIndex('score_grants_contact_idx').on('score_grants').columns(['contact_id', 'model_id', 'rule_id', 'at']).execute();
  await db.schema.createIndex('score_grants_expiry_idx').on('score_grants').columns(['model_id', 'expires_at']).where(sql.ref('ended_at'), 'is', null).execute();
  await db.schema
    .createTable('score_accounts')
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('fixed', 'double precision', (c) => c.notNull())
    .addColumn('clock', 'double precision', (c) => c.notNull())
    .addColumn('stretch', 'bigint')
    .addColumn('steps', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('score_accounts_pk', ['model_id', 'contact_id'])
    .execute();
  await db.schema.createIndex('score_accounts_contact_idx').on('score_accounts').column('contact_id').execute();
  await db.schema.alterTable('scoring_models').addColumn('decay_clock', 'double precision', (c) => c.notNull().defaultTo(0)).execute();

  const now = Date.now();
  const models: { id: string; doc_json: string }[] = await db.selectFrom('scoring_models').select(['id', 'doc_json']).execute();
  for (const m of models) {
    const doc = JSON.parse(m.doc_json) as { field?: string; rules?: { id: string; points?: number }[] };
    for (const rule of doc.rules ?? []) {
      await db.insertInto('score_grants')
        .columns(['model_id', 'contact_id', 'rule_id', 'at', 'points', 'rule_points', 'decays', 'clock'])
        .expression(db.selectFrom('scoring_rule_states')
          .select([sql.lit(m.id).as('model_id'), 'contact_id', 'rule_id', sql.lit(now).as('at'),
            sql`coalesce(points, ${sql.lit(rule.points ?? 0)})`.as('points'), sql.lit(rule.points ?? 0).as('rule_points'), sql.lit(1).as('decays'), sql.lit(0).as('clock')])
          .where('model_id', '=', m.id).where('rule_id', '=', rule.id))
        .execute();
    }
    const col = sql.ref(`contacts.${fieldColumn(doc.field ?? 'score')}`);
    const held = sql`coalesce((select sum(g.points) from score_grants g where g.model_id = ${m.id} and g.contact_id = contacts.id), 0)`;
    await db.insertInto('score_grants')
      .columns(['model_id', 'contact_id', 'source_json', 'at', 'points', 'decays', 'clock'])
      .expression(db.selectFrom('contacts')
        .select([sql.lit(m.id).as('model_id'), 'id', sql.lit(JSON.stringify({ opening: true })).as('source_json'), sql.lit(now).as('at'),
          sql`${col} - ${held}`.as('points'), sql.lit(1).as('decays'), sql.lit(0).as('clock')])
        .where(col, 'is not', null)
        .where(sql`${col} - ${held}`, '<>', 0))
      .execute();
  }
});

/**
 * Reports (SPEC §11): a contact's value of a field at a past moment is the last history row of
 * that field at or before it — one seek of (contact, field, at) per contact; the rows of one field
 * in a period (bracket flow, top actions, a field outcome) are read by (field, at), and the outcome
 * events of a window by (type, at), not by a scan.
 */
const reportIndexes = atomic(async (db) => {
  // On SQLite the value rides in the index, so the lookup reads no table row (a third less time at
  // 1,000,000 contacts); PostgreSQL refuses index entries past ~2.7 KB, which a long text could be.
  const point = dialectOf(db).name === 'sqlite' ? ['contact_id', 'field', 'at', 'id', 'to_json'] : ['contact_id', 'field', 'at', 'id'];
  await db.schema.createIndex('history_point_idx').on('history').columns(point).execute();
  // It takes the place of (contact, id): every history row written goes into one index ordered by
  // contact, not two — each is a write at a random place, the costliest part of a history row
  // (measured: a second one made each row 1.15–3.8× as dear). A contact's page of history, newest
  // first, reads its rows by this index and sorts them by id.
  await db.schema.dropIndex('history_contact_idx').execute();
  await db.schema.createIndex('history_field_at_idx').on('history').columns(['field', 'at']).execute();
  await db.schema.createIndex('events_type_at_idx').on('events').columns(['type', 'at', 'contact_id']).execute();
});

/**
 * Teams (SPEC §12): people and their sessions, the audit log, map versions' authors, saved lists,
 * round-robin rotations, and the built-in fields `owner`, `qualification_status` and
 * `qualification_reason`. A custom text field of one of those names already there becomes the
 * built-in one, values and all; one of another type is in the way, and the migration says so.
 */
const teams = atomic(async (db) => {
  const auto = dialectOf(db).autoId;
  const rows: { key: string; type: string }[] = await db.selectFrom('fields').select(['key', 'type']).where('key', 'in', [...TEAM_FIELDS]).execute();
  for (const r of rows) {
    if (r.type !== 'text') {
      throw new Error(`the custom field "${r.key}" is a ${r.type} field, and Scoremap now keeps "${r.key}" as a built-in text field: rename or delete yours, then start again`);
    }
  }
  const have = new Set(rows.map((r) => r.key));
  for (const f of BUILTIN_FIELDS.filter((b) => (TEAM_FIELDS as readonly string[]).includes(b.key))) {
    if (have.has(f.key)) {
      await db.updateTable('fields').set({ builtin: 1, label: f.label, label_norm: normalizeLabel(f.label) }).where('key', '=', f.key).execute();
      continue;
    }
    await db.schema.alterTable('contacts').addColumn(fieldColumn(f.key), columnType(f.type)).execute();
    await db.insertInto('fields')
      .values({ key: f.key, label: f.label, label_norm: normalizeLabel(f.label), type: f.type, decimals: null, default_json: null, builtin: 1, created_at: 0 })
      .execute();
  }
  // "My leads" reads a person's contacts by owner, best score first.
  await db.schema.createIndex('contacts_owner_idx').on('contacts').columns([fieldColumn('owner'), fieldColumn('score')]).execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_norm', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  await db.schema
    .createTable('audit_log')
    .addColumn('id', auto.type, auto.define)
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('detail_json', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').columns(['at', 'id']).execute();
  await db.schema.createIndex('audit_log_target_idx').on('audit_log').columns(['target_type', 'target_id', 'at']).execute();
  await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor_id', 'at']).execute();
  await db.schema.alterTable('map_versions').addColumn('author', 'text').execute();
  await db.schema
    .createTable('saved_lists')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text')
    .addColumn('filters_json', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('rotations')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
});

/** Every migration, by name; names sort in the order they run. Never edit one that has shipped: add the next. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_init': init,
  '0002_scoring': scoring,
  '0003_due_order': dueOrder,
  '0004_rule_points': rulePoints,
  '0005_jobs_done': jobsDone,
  '0006_keys_webhooks': keysAndWebhooks,
  '0007_identities': identities,
  '0008_delivery_heads': deliveryHeads,
  '0009_ledger': ledger,
  '0010_model_versions': modelVersions,
  '0011_report_indexes': reportIndexes,
  '0012_teams': teams,
};

/** Serves {@link MIGRATIONS} to Kysely's `Migrator` (no migration files on disk to find or bundle). */
const provider: MigrationProvider = {
  async getMigrations() {
    return { ...MIGRATIONS };
  },
};

/** Brings the database up to the latest migration; a no-op when it is already there. */
export async function migrate(db: Kysely<any>): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema it can see: on PostgreSQL, name ours
  // (the URL's `?schema=`, else the first of the search path).
  const migrationTableSchema = dialectOf(db).name === 'postgres'
    ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
    : undefined;
  const migrator = new Migrator({ db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  // It reads only our schema's tables (server/store/postgres.ts `OwnSchemaIntrospector`): a
  // neighbour dropping theirs meanwhile changes nothing here.
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
