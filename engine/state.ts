import type { FieldValue } from './elements/types.js';
import type { ScoreAccount } from './scoring/ledger.js';

/** Where a contact stands on one map (at most one place per map, SPEC §3). */
export interface Position {
  readonly mapId: string;
  readonly elementId: string;
  /** The map version the contact entered under. */
  readonly version: number;
  readonly enteredAt: number;
  /** When the wait here fires (or its condition is re-checked); null: nothing is due. */
  readonly dueAt: number | null;
  /** For `until condition` waits: when the timeout runs out. */
  readonly timeoutAt: number | null;
  /** Whether the contact waits for a condition (re-checked on field changes). */
  readonly onCondition: boolean;
  /** Whether a guard or an error stopped the contact here. */
  readonly stuck: boolean;
}

/** A contact as the engine works on it: its fields, its tags and its places on maps. */
export interface ContactState {
  readonly id: string;
  /** Field values by key (tags are in `tags`); absent keys are empty. */
  fields: Record<string, FieldValue>;
  tags: string[];
  /** Positions by map id. */
  positions: Map<string, Position>;
  /**
   * The scoring condition rules that hold for this contact, by `ruleKey`, with the points they
   * actually gave (less than the rule's when a bound cut them; null: not recorded, the rule's points).
   */
  rules?: Map<string, number | null>;
  /** The contact's ledger accounts by scoring model id (SPEC §9); absent: nothing recorded yet. */
  accounts?: Map<string, ScoreAccount>;
  /**
   * When the contact earned each rule's latest grants, newest first, by `ruleKey` — only for rules
   * that count their grants (`maxTimes`, `repeatMultiplier`), and only as many as they count.
   */
  recent?: Map<string, number[]>;
}

/** Who made a change by hand (SPEC §12): a person's id and name, or a key's, or the start-up token (id null). */
export interface CauseActor {
  readonly kind: 'person' | 'key' | 'token';
  readonly id: string | null;
  readonly name: string;
}

/** What made a field change (SPEC §1 "History"). */
export type Cause =
  | { readonly map: string; readonly version: number; readonly element: string }
  /** A scoring rule gave or took points; `reason`: its points expired, or a rescore took back what the rules no longer give. */
  | { readonly scoringModel: string; readonly rule: string; readonly reason?: 'expired' | 'rescore' }
  | { readonly decay: string }
  | { readonly event: { readonly id: string; readonly type: string } }
  /**
   * Changed through the API or the editor; `by`: who (SPEC §12: a person, a key or the start-up
   * token; absent in history written before people existed), `reason`: what they gave as the reason.
   */
  | { readonly api: true; readonly by?: CauseActor; readonly reason?: string }
  | { readonly import: true }
  | { readonly publish: { readonly map: string; readonly version: number } }
  /** Another contact was merged into this one (SPEC §10 "Merge"): by hand (`api`, `by` whom) or by an identity call (`segment`). */
  | { readonly merge: { readonly from: string; readonly via: 'api' | 'segment'; readonly by?: CauseActor } };

/** One recorded change of one field of one contact. */
export interface FieldChange {
  readonly contactId: string;
  readonly at: number;
  readonly field: string;
  readonly from: FieldValue;
  readonly to: FieldValue;
  readonly cause: Cause;
}
