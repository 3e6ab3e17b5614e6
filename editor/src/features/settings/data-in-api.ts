/**
 * The intake settings API as Settings → Data in uses it (SPEC §10): the table of the user's own
 * event and trait names, and the preview of a Segment call. The shapes are the server's answers.
 */
import { api } from '../../lib/api.js';

/** Name as sent → event type or field key; `""` ignores it. */
export type NameMap = Readonly<Record<string, string>>;

/** The two tables as saved and sent. */
export interface IntakeMapping {
  readonly events: NameMap;
  readonly traits: NameMap;
}

/** A row the server refused: its table, its name as sent (`""`: the table as a whole), why. */
export interface MappingProblem {
  readonly table: 'events' | 'traits';
  readonly name: string;
  readonly message: string;
}

/** The saved table, with what the page needs to edit it. */
export interface MappingView extends IntakeMapping {
  /** Sent back on save: a table changed by someone else since is not overwritten. */
  readonly rev: string;
  /** Fields no trait may write (score, tags, the ids…). */
  readonly protectedFields: readonly string[];
  /** Segment's standard names (snake case) and the types they give with no row. */
  readonly standardEvents: NameMap;
  /** Saved rows that no longer fit (a field since removed). */
  readonly problems: readonly MappingProblem[];
}

export type SegmentMethod = 'track' | 'identify' | 'page' | 'screen' | 'group' | 'alias';
type Value = string | number | boolean;

/** One call as Scoremap would take it. */
export interface PreviewCall {
  readonly where: string;
  readonly method: SegmentMethod;
  readonly at: string;
  readonly who: { readonly userId?: string; readonly email?: string; readonly anonymousId?: string };
  /** The contact it would find now; null: a new one would be made. */
  readonly contact: { readonly id: string; readonly by: 'userId' | 'email' | 'anonymousId' } | null;
  readonly eventName?: string;
  readonly typeFrom?: 'mapping' | 'standard' | 'snake_case';
  /** Absent for a track call the table ignores. */
  readonly event?: { readonly id: string; readonly type: string; readonly props: Readonly<Record<string, Value>> };
  readonly fields?: Readonly<Record<string, Value>>;
  readonly alias?: { readonly previousId: string; readonly userId: string };
  readonly groupId?: string;
}

/** What a call (or a batch) would become: taken, or refused with each problem's place. */
export interface Preview {
  readonly accepted: boolean;
  readonly method: SegmentMethod | 'batch';
  readonly message?: string;
  readonly problems?: readonly { readonly path: string; readonly message: string }[];
  readonly calls: readonly PreviewCall[];
}

export const getMapping = () => api<MappingView>('/intake/mapping');

/** Replaces the whole table; `rev` is the one read (a 409 says someone saved since). */
export const saveMapping = (mapping: IntakeMapping, rev: string) =>
  api<MappingView>('/intake/mapping', { method: 'PUT', body: { ...mapping, rev } });

/** What `call` would become with `mapping` (the saved table when left out); nothing is stored. */
export const previewCall = (call: unknown, mapping?: IntakeMapping) =>
  api<Preview>('/intake/preview', { body: { call, ...(mapping ? { mapping } : {}) } });
