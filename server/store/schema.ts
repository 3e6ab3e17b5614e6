import type { Generated } from 'kysely';

/**
 * The tables, as Kysely sees them. Times are epoch-ms integers (portable to PostgreSQL's bigint);
 * JSON is stored as text. Contact fields are columns of `contacts` named `f_<key>`: a new custom
 * field adds a column (and an index for numbers and dates), so the contacts list sorts and filters
 * by any field in SQL with an index, and one row read loads a whole contact.
 */
export interface DB {
  meta: { key: string; value: string };
  fields: {
    key: string;
    label: string;
    label_norm: string;
    type: string;
    decimals: number | null;
    default_json: string | null;
    builtin: number;
    created_at: number;
  };
  contacts: ContactTable;
  contact_tags: { contact_id: string; tag: string };
  maps: {
    id: string;
    seq: number;
    name: string;
    status: string;
    draft_json: string;
    rev: number;
    version: number | null;
    created_at: number;
    updated_at: number;
  };
  /** `author`: who published it (SPEC §12), as the audit log names them; null before people existed. */
  map_versions: { map_id: string; version: number; doc_json: string; published_at: number; author: string | null };
  positions: PositionTable;
  date_timers: {
    map_id: string;
    element_id: string;
    contact_id: string;
    armed_value: number;
    due_at: number | null;
  };
  schedules: { map_id: string; element_id: string; next_at: number };
  element_stats: {
    map_id: string;
    element_id: string;
    were_here: number;
    errors: number;
    last_error: string | null;
    last_error_at: number | null;
  };
  events: {
    id: string;
    contact_id: string;
    type: string;
    at: number;
    props_json: string | null;
    accepted_at: number;
  };
  scoring_models: { id: string; seq: number; doc_json: string; next_decay_at: number | null; created_at: number; updated_at: number; decay_clock: Generated<number> };
  /** The points ledger (SPEC §9): one row per grant of points to a contact in a model. */
  score_grants: {
    id: Generated<number>; model_id: string; contact_id: string; rule_id: string | null; source_json: string | null; at: number;
    event_id: string | null; points: number; rule_points: number | null; decays: number; clock: number;
    expires_at: number | null; ended_at: number | null; ended: string | null;
  };
  /** Each contact's account in each model: fixed points, its own decay clock, its inactivity steps. */
  score_accounts: { model_id: string; contact_id: string; fixed: number; clock: number; stretch: number | null; steps: number };
  /** Every saved document of a scoring model (SPEC §9), numbered from 1 per model; `author` null until people exist (§12). */
  scoring_model_versions: { model_id: string; version: number; doc_json: string; saved_at: number; author: string | null };
  scoring_rule_states: { model_id: string; rule_id: string; contact_id: string; points: number | null };
  degradation_runs: { model_id: string; day: string; cursor: string | null; finished: number; at: number };
  job_contacts_done: { job: string; contact_id: string };
  /** Every anonymous id a contact was seen with (SPEC §10), the merged-away contacts' included. */
  anonymous_ids: { anonymous_id: string; contact_id: string; created_at: number };
  api_keys: {
    id: string;
    name: string;
    /** admin | ingest | read */
    scope: string;
    prefix: string;
    hash: string;
    origins_json: string | null;
    created_at: number;
    last_used_at: number | null;
  };
  webhooks: {
    id: string;
    name: string;
    url: string;
    events_json: string;
    fields_json: string | null;
    format: string;
    secret: string;
    /** active | paused | disabled */
    status: string;
    status_reason: string | null;
    failing_since: number | null;
    created_at: number;
    updated_at: number;
  };
  webhook_deliveries: {
    seq: Generated<number>;
    id: string;
    webhook_id: string | null;
    url: string;
    format: string;
    /** One destination and one contact: deliveries of a stream go out in `seq` order. */
    stream: string;
    contact_id: string | null;
    type: string;
    payload_json: string;
    /** pending | delivered | failed */
    status: string;
    attempts: number;
    next_at: number | null;
    claim: string | null;
    claimed_until: number | null;
    retry_from: number | null;
    created_at: number;
    last_at: number | null;
    last_status: number | null;
    last_answer: string | null;
    last_error: string | null;
  };
  webhook_attempts: {
    delivery_id: string;
    n: number;
    at: number;
    status_code: number | null;
    answer: string | null;
    error: string | null;
    ms: number;
  };
  /** People (SPEC §12): `email_norm` unique; the password as `scrypt$N$r$p$salt$hash` (base64url). */
  users: {
    id: string;
    email: string;
    email_norm: string;
    name: string;
    /** viewer | sales | editor | admin */
    role: string;
    password_hash: string;
    created_at: number;
    updated_at: number;
  };
  /** Signed-in sessions: the cookie's secret is kept only as its SHA-256 (`id_hash`). */
  sessions: {
    id_hash: string;
    user_id: string;
    created_at: number;
    expires_at: number;
    last_seen_at: number;
  };
  /** Every change to configuration and every manual score change (SPEC §12): who, when, what. */
  audit_log: {
    id: Generated<number>;
    at: number;
    /** person | key | token | system */
    actor_kind: string;
    actor_id: string | null;
    actor_name: string;
    /** `map.publish`, `model.save`, `person.add`, `contact.adjust`, … */
    action: string;
    /** map | version | model | field | key | webhook | person | setting | contact | list | … */
    target_type: string;
    target_id: string | null;
    summary: string;
    detail_json: string | null;
  };
  /** Saved contact lists (SPEC §12 "smart lists"): a name and filters; `owner_id` null: shared with everyone. */
  saved_lists: {
    id: string;
    name: string;
    owner_id: string | null;
    filters_json: string;
    created_by: string | null;
    created_at: number;
    updated_at: number;
  };
  /** Round-robin assignment (SPEC §12): per rotation, how many owners it has handed out so far. */
  rotations: { key: string; n: number; updated_at: number };
  history: {
    id: Generated<number>;
    contact_id: string;
    at: number;
    field: string;
    from_json: string | null;
    to_json: string | null;
    cause_json: string;
  };
}

/** Built-in columns; custom fields add more `f_<key>` columns at run time. */
export interface ContactTable {
  id: string;
  email_norm: string | null;
  created_at: number;
  updated_at: number;
  [column: `f_${string}`]: number | string | null;
}

export interface PositionTable {
  map_id: string;
  contact_id: string;
  element_id: string;
  version: number;
  entered_at: number;
  /** When the wait fires (or a condition is re-checked); null when nothing is due. */
  due_at: number | null;
  timeout_at: number | null;
  /** 1 for `until condition` waits, re-checked on field changes. */
  on_condition: number;
  /** 1 when a guard or an error stopped the contact here. */
  stuck: number;
}
