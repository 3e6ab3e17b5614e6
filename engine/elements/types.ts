import type { z } from 'zod';
import type { Condition } from '../schema/condition.js';
import type { FieldRegistry, FieldType } from '../schema/field.js';

/** A value a contact field holds: numbers, text, booleans, dates as epoch ms, tags as a list. */
export type FieldValue = number | string | boolean | null | readonly string[];

/** A problem found by validation: which element, where in it, and what a person should do. */
export interface Problem {
  readonly element: string | null;
  readonly path: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
  /** For an instant loop: the element ids of the cycle, in order. */
  readonly cycle?: readonly string[];
}

/** Where an element can send a contact next. */
export interface Outlet {
  /** The property holding the target id (`next`, `then`, `else`, `target`, `timeoutNext`). */
  readonly path: string;
  readonly target: string | undefined;
  /** Whether the contact may be moved through it without passing time (for the instant-loop check). */
  readonly instant: boolean;
  /** Whether leaving it empty is an error (`timeoutNext` is optional). */
  readonly required: boolean;
}

/** What the validator offers an element kind for checking its own settings. */
export interface CheckContext {
  readonly fields: FieldRegistry;
  /** Checks a field reference; `types` lists the acceptable field types. */
  field(ref: string, path: string, types?: readonly FieldType[], use?: string): void;
  /** Checks a condition; `allowCrossing` for field_updated triggers, `allowProps` where an event is at hand. */
  condition(c: Condition, path: string, opts?: { allowCrossing?: boolean; allowProps?: boolean }): void;
  /** Checks that an expression parses and that its type fits a field of type `target`. */
  expression(source: string, path: string, target: FieldType): void;
  problem(path: string, message: string, severity?: 'error' | 'warning'): void;
}

/** What an element sees of the world while it runs. */
export interface StepContext {
  readonly now: number;
  readonly fields: FieldRegistry;
  /** The contact's current value of a field (by key). */
  get(key: string): FieldValue;
  /** Writes a field (by key), rounded and typed by the runtime; no change, no record. */
  set(key: string, value: FieldValue): void;
  /** Evaluates a compiled expression for this contact. Throws EvaluationError. */
  evaluate(source: string): number | string | boolean | null;
  /** Tests a condition against the contact (and the triggering event, if any). */
  test(c: Condition): boolean;
  /** The next moment after `now` at which the truth of `c` may change by time alone, or null. */
  nextTimeChange(c: Condition): number | null;
  /**
   * Queues a delivery through the outbox (the `webhook` element): it is written with the rest of
   * the work, in the same transaction, and sent after the commit. The runtime adds the contact,
   * the map, its version, the element and the time.
   */
  queueWebhook(d: { readonly webhook?: string; readonly url?: string; readonly format?: 'json' | 'slack'; readonly message?: string }): void;
  /**
   * Takes the next turn of the running element's rotation (the `assign_owner` element): 0, 1, 2, …
   * counted across every contact, batch and restart. The runtime writes the count with the rest of
   * the work, so a batch rolled back gives no turn out.
   */
  takeTurn(): number;
}

/** The outcome of running one element. */
export type StepResult =
  | { readonly go: string }
  | { readonly park: Parked }
  | { readonly end: true }
  | { readonly error: string };

/** A contact held at a wait. */
export interface Parked {
  /** When the wait fires (or is re-checked, for a condition); null: only a field change wakes it. */
  readonly dueAt: number | null;
  /** For `until condition`: when the timeout runs out, or null for none. */
  readonly timeoutAt?: number | null;
  /** Whether this is an `until condition` wait, re-checked on field changes. */
  readonly onCondition?: boolean;
}

/** One element kind: its schema, its outlets, its words and how it runs (STYLE: one kind, one file). */
export interface ElementKind<E extends { id: string; kind: string }> {
  readonly kind: E['kind'];
  readonly schema: z.ZodType<E>;
  outlets(el: E): Outlet[];
  /** One line of plain words: "Wait 1 day", "Custom Lead Score = Custom Lead Score + 5". */
  describe(el: E, fields: FieldRegistry): string;
  /** Kind-specific validation (fields, expressions, conditions). */
  check(el: E, ctx: CheckContext): void;
  /** Runs the element for a contact arriving at it. */
  run(el: E, ctx: StepContext): StepResult;
}

export function defineKind<E extends { id: string; kind: string }>(k: ElementKind<E>): ElementKind<E> {
  return k;
}
