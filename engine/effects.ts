import type { FieldValue } from './elements/types.js';
import type { Cause, FieldChange, Position } from './state.js';
import type { ScoreAccount } from './scoring/ledger.js';

/** A position to write, with its contact. */
export type PositionRow = Position & { readonly contactId: string };

/** A date trigger to arm (dueAt set), mark fired (dueAt null) or drop (`drop`). */
export interface DateTimerWrite {
  readonly mapId: string;
  readonly elementId: string;
  readonly contactId: string;
  readonly armedValue: number;
  readonly dueAt: number | null;
  readonly drop?: boolean;
}

/** A delivery a `webhook` element queued (SPEC §10): the server's outbox sends it after the commit. */
export interface WebhookCall {
  readonly contactId: string;
  readonly at: number;
  readonly mapId: string;
  readonly version: number;
  readonly elementId: string;
  /** The subscription to send through (its URL, secret and format), or… */
  readonly webhook?: string;
  /** …a URL of its own (signed with the server's element secret). */
  readonly url?: string;
  readonly format?: 'json' | 'slack';
  /** The element's message with its field references filled in (undefined: none given). */
  readonly message?: string;
}

/** An element that stopped a contact with an error (SPEC §10 `map.error`). */
export interface MapError {
  readonly contactId: string;
  readonly at: number;
  readonly mapId: string;
  readonly version: number;
  readonly elementId: string;
  readonly message: string;
}

/** Where points from outside a model came from: a change's cause, or the score a new contact came with. */
export type GrantSource = Cause | { readonly created: true };

/** Points given to a contact in a scoring model's ledger (SPEC §9). */
export interface GrantWrite {
  readonly contactId: string;
  readonly modelId: string;
  /** The rule that gave them; null: a change from outside the model (a map, a person, an import, a merge). */
  readonly ruleId: string | null;
  /** For changes from outside: their cause, or the score a contact was created with. */
  readonly source: GrantSource | null;
  /** When they were earned (the event's time). */
  readonly at: number;
  readonly eventId: string | null;
  /** What the score moved (after bounds, repeats and the age of a back-dated event). */
  readonly points: number;
  /** The rule's own points then (a condition rule whose points change is rescored by it). */
  readonly rulePoints: number | null;
  readonly decays: boolean;
  /** The contact's own part of the decay clock then (the model's part is added when written). */
  readonly clock: number;
  /** The start of the day they are taken back (null: never). */
  readonly expiresAt: number | null;
  /** Set when a later change in the same batch ended them. */
  endedAt: number | null;
  ended: GrantEndReason | null;
}

/** Why grants stopped counting: a rule set the score, a map reset it, the condition went false, a rescore, expiry. */
export type GrantEndReason = 'set' | 'reset' | 'false' | 'rescore' | 'expired';

/** Grants that ended: a contact's live grants in one model (every rule's, or one rule's). */
export interface GrantEnd {
  readonly contactId: string;
  readonly modelId: string;
  /** One rule's grants; undefined: every live grant of the model (a `set`). */
  readonly ruleId?: string;
  readonly at: number;
  readonly reason: GrantEndReason;
}

/** Counts to add to one element's statistics. */
export interface StatDelta {
  wereHere: number;
  errors: number;
  lastError?: string;
  /** When `lastError` happened (the time of the first count while there is none). */
  at: number;
}

/**
 * Everything a batch of engine work wants written, gathered in memory so the server can write
 * it set-based in one transaction. Later writes of the same row replace earlier ones.
 */
export class Effects {
  /** History, in the order the changes happened. */
  readonly changes: FieldChange[] = [];
  /** Field values to write, by contact id then key (the last value wins). */
  readonly fieldWrites = new Map<string, Map<string, FieldValue>>();
  /** Tags per contact: as they were before the batch and as they are now. */
  readonly tagWrites = new Map<string, { from: readonly string[]; to: readonly string[] }>();
  /** Positions by `${mapId}\u0000${contactId}`; null: the contact left the map. */
  readonly positions = new Map<string, PositionRow | { mapId: string; contactId: string; left: true }>();
  /**
   * The stored row of each position written (null: the contact was not on the map), as it was
   * before the batch's first write to it: the store writes only what changed.
   */
  readonly priorPositions = new Map<string, Position | null>();
  /** Date triggers by `${mapId}\u0000${elementId}\u0000${contactId}`. */
  readonly dateTimers = new Map<string, DateTimerWrite>();
  /** Statistics by `${mapId}\u0000${elementId}`. */
  readonly stats = new Map<string, StatDelta & { mapId: string; elementId: string }>();
  /** Scoring condition rules that became true (true) or false (false), by contact then `model\u0000rule`. */
  readonly ruleStates = new Map<string, Map<string, { modelId: string; ruleId: string; holds: boolean; points: number }>>();
  /** Grants of points, in order (SPEC §9's ledger). */
  readonly grants: GrantWrite[] = [];
  /** Ledger accounts to write, by `${modelId}\u0000${contactId}`. */
  readonly accounts = new Map<string, { readonly contactId: string; readonly modelId: string; readonly account: ScoreAccount }>();
  /** Grants stored before this batch that ended in it, in order (grants of this batch are ended in `grants`). */
  readonly grantEnds: GrantEnd[] = [];
  /**
   * Contacts created in this batch, with how many changes were recorded before their creation ran:
   * those are their first values, not changes (SPEC §10 `contact.created` carries them).
   */
  readonly created = new Map<string, number>();
  /** Contacts merged into another in this batch, in order (SPEC §10 `contact.merged`): the master, the merged-away id. */
  readonly merges: { readonly contactId: string; readonly from: string; readonly at: number }[] = [];
  /** Deliveries `webhook` elements queued, in order. */
  readonly webhooks: WebhookCall[] = [];
  /**
   * Turns taken from each rotation in this batch, by `<map id>:<element id>`: `base` is the count
   * the batch started from (the runtime checks it is still the stored one when it writes `base + taken`).
   */
  readonly turns = new Map<string, { readonly base: number; taken: number }>();
  /** Errors and guards that stopped a contact, in order. */
  readonly errors: MapError[] = [];
  /** The earliest due time written so far: work due later must wait for this batch to be written. */
  earliestDue = Infinity;
  /**
   * Instant steps every cause of this batch has run so far (each element a contact passed, each
   * wait it was woken at): the runtime cuts due work into short transactions by it.
   */
  steps = 0;
  /**
   * The most steps this batch may run in all (a request's budget: see `MAX_REQUEST_STEPS`); past it,
   * each further cause is stopped at the guard. Unlimited by default (due work is cut by the runtime).
   */
  stepBudget: number;
  /**
   * Steps run before the budget began: a group of requests in one batch moves it on at each
   * request, so each has a budget of its own (and the guard's message names that budget).
   */
  stepsBefore = 0;

  constructor(opts: { stepBudget?: number } = {}) {
    this.stepBudget = opts.stepBudget ?? Infinity;
  }

  recordChange(c: FieldChange): void {
    this.changes.push(c);
    if (c.field === 'tags') {
      const first = this.tagWrites.get(c.contactId)?.from ?? ((c.from ?? []) as readonly string[]);
      this.tagWrites.set(c.contactId, { from: first, to: (c.to ?? []) as readonly string[] });
      return;
    }
    let w = this.fieldWrites.get(c.contactId);
    if (!w) this.fieldWrites.set(c.contactId, (w = new Map()));
    w.set(c.field, c.to);
  }

  /** The contact is now at `p`; `prior` is where it was until now (null: not on the map). */
  setPosition(p: PositionRow, prior: Position | null): void {
    const key = `${p.mapId}\u0000${p.contactId}`;
    if (!this.positions.has(key)) this.priorPositions.set(key, prior);
    this.positions.set(key, p);
    if (p.dueAt !== null && p.dueAt < this.earliestDue) this.earliestDue = p.dueAt;
  }

  /** The contact left a map; `prior` is where it was until now. */
  leave(mapId: string, contactId: string, prior: Position | null): void {
    const key = `${mapId}\u0000${contactId}`;
    if (!this.positions.has(key)) this.priorPositions.set(key, prior);
    this.positions.set(key, { mapId, contactId, left: true });
  }

  dateTimer(t: DateTimerWrite): void {
    this.dateTimers.set(`${t.mapId}\u0000${t.elementId}\u0000${t.contactId}`, t);
    if (t.dueAt !== null && !t.drop && t.dueAt < this.earliestDue) this.earliestDue = t.dueAt;
  }

  /** A condition rule became true (with the points it gave) or false. */
  ruleState(contactId: string, modelId: string, ruleId: string, holds: boolean, points: number): void {
    let m = this.ruleStates.get(contactId);
    if (!m) this.ruleStates.set(contactId, (m = new Map()));
    m.set(`${modelId}\u0000${ruleId}`, { modelId, ruleId, holds, points });
  }

  count(mapId: string, elementId: string, at: number, kind: 'wereHere' | 'errors', message?: string): void {
    const key = `${mapId}\u0000${elementId}`;
    let s = this.stats.get(key);
    if (!s) this.stats.set(key, (s = { mapId, elementId, wereHere: 0, errors: 0, at }));
    s[kind]++;
    if (message !== undefined) {
      s.lastError = message;
      s.at = at;
    }
  }

  /** Live grants end: the stored ones (written at flush) and this batch's own. */
  endGrants(end: GrantEnd): void {
    this.grantEnds.push(end);
    for (const g of this.grants) {
      if (g.endedAt !== null || g.contactId !== end.contactId || g.modelId !== end.modelId) continue;
      if (end.ruleId !== undefined && g.ruleId !== end.ruleId) continue;
      g.endedAt = end.at;
      g.ended = end.reason;
    }
  }

  /** Takes a rotation's next turn; `base` reads the count before the batch, the first time only. */
  takeTurn(key: string, base: () => number): number {
    let t = this.turns.get(key);
    if (!t) this.turns.set(key, (t = { base: base(), taken: 0 }));
    return t.base + t.taken++;
  }

  /** Whether there is nothing to write. */
  get empty(): boolean {
    return !this.changes.length && !this.grants.length && !this.accounts.size && !this.grantEnds.length && !this.positions.size && !this.dateTimers.size && !this.stats.size && !this.ruleStates.size && !this.webhooks.length && !this.merges.length && !this.turns.size;
  }
}
