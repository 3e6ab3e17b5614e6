import type { Element, ElementKindName } from '../../../engine/elements/index.js';
import type { Problem } from '../../../engine/elements/types.js';
import type { FieldRegistry } from '../../../engine/schema/field.js';
import type { MapDocument, MapStatus } from '../../../engine/schema/map.js';
import type { Position } from './doc-ops.js';

/** Per-element counts of the running version (performance view). */
export interface ElementStats {
  readonly hereNow: number;
  readonly wereHere: number;
  readonly errors: number;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
}

/** What the editor shows of the open map, and what it can do with it. */
export interface MapEditorState {
  /** The open map's id; null before the first load. */
  readonly mapId: string | null;
  /** The draft being edited; null until loaded. */
  readonly doc: MapDocument | null;
  /** The server revision the draft was read at; a save sends it back (409 when stale). */
  readonly rev: number;
  readonly status: MapStatus;
  /** The published version number, or null before the first publish. */
  readonly version: number | null;
  /** Whether the draft differs from what the server has. */
  readonly dirty: boolean;
  readonly loading: boolean;
  /** Why the map could not be opened, in words. */
  readonly loadError: string | null;
  /** Selected element ids. */
  readonly selection: readonly string[];
  /** The contact fields (GET /api/fields) plus the fields the map declares. */
  readonly fields: FieldRegistry;
  /** `validateMap` of the draft (and a missing name), recomputed on every change. */
  readonly problems: readonly Problem[];
  /** Per-element counts, once `refreshStats` ran. */
  readonly stats: Readonly<Record<string, ElementStats>> | null;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  readonly canPaste: boolean;
  /** Set when a save met a newer revision: the user picks `resolveConflict('reload' | 'keep-mine')`. */
  readonly conflict: string | null;
  /** The last failed action, in words, and the problems the server sent with it. */
  readonly error: string | null;
  readonly errorProblems: readonly Problem[];
  /** A server round trip in progress. */
  readonly busy: 'saving' | 'publishing' | 'pausing' | 'resuming' | 'restoring' | null;
  /** Whether the map came without positions and was laid out on open with estimated sizes. */
  readonly laidOutOnOpen: boolean;

  load(id: string): Promise<void>;
  /** Applies a patch to an element (a key set to undefined is removed). Rapid edits of the same settings are one undo step. */
  updateElement(id: string, patch: Partial<Element>): void;
  /** Changes the map's name, description or declared fields. */
  updateMap(patch: Partial<Pick<MapDocument, 'name' | 'description' | 'fields'>>): void;
  /**
   * Adds an element and selects it. With `connectFrom` an element id, wires that element's first empty
   * outlet to it, or, when none is empty, puts it into the flow after that element; with an outlet
   * (an edge it was dropped on), puts it into the flow there. Returns its id.
   */
  addElement(kind: ElementKindName, position: Position, connectFrom?: string | { readonly source: string; readonly path: string }): string;
  /** Removes elements (and clears what led to them), and optionally cuts connections, as one undo step. */
  removeElements(ids: readonly string[], connections?: readonly { source: string; path: string }[]): void;
  /** Connects an outlet (replacing where it led). Returns why it was refused, or null. */
  connect(sourceId: string, outletPath: string, targetId: string): string | null;
  disconnect(sourceId: string, outletPath: string): void;
  /** Commits moved positions (call at drag end, not on every pixel). */
  moveElements(positions: ReadonlyMap<string, Position> | Readonly<Record<string, Position>>): void;
  select(ids: readonly string[]): void;
  /** Copies the selected elements (kept in the editor, across maps opened in this tab). */
  copy(): void;
  /** Pastes the copied elements with new ids and selects them. */
  paste(): void;
  /** Lays the map out with dagre; `sizeOf` gives the drawn size of an element when known. */
  autoLayout(sizeOf?: (id: string) => { width: number; height: number } | undefined): void;
  /**
   * Lays a map laid out on open out again with the sizes the canvas measured. Still "as loaded":
   * no undo step, and not an unsaved change.
   */
  settleLayout(sizeOf: (id: string) => { width: number; height: number } | undefined): void;
  undo(): void;
  redo(): void;
  /** Saves the draft; true when saved. A stale rev sets `conflict`. */
  save(): Promise<boolean>;
  resolveConflict(choice: 'reload' | 'keep-mine'): Promise<void>;
  /** Saves if needed, then publishes; `relocate` maps removed element ids to new ones. */
  publish(relocate?: Readonly<Record<string, string>>): Promise<{ version: number; relocated: number } | null>;
  pause(): Promise<boolean>;
  resume(): Promise<boolean>;
  /** Copies a published version into the draft (undo brings the previous draft back). */
  restore(version: number): Promise<boolean>;
  /** Reads the per-element counts (GET /stats) into `stats`. */
  refreshStats(): Promise<void>;
  dismissError(): void;
}
