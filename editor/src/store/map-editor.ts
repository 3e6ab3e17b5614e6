/**
 * The open map in the editor: its draft, what is wrong with it, undo/redo, and the server round trips
 * (load, save with `rev`, publish, pause, resume, restore). Components read slices with
 * `useMapEditor((s) => s.doc)`; every edit goes through an action, so undo sees it.
 */
import { create } from 'zustand';
import type { Element } from '../../../engine/elements/index.js';
import type { Problem } from '../../../engine/elements/types.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../../../engine/schema/field.js';
import type { MapDocument, MapStatus } from '../../../engine/schema/map.js';
import { mapFieldRegistry } from '../../../engine/validate.js';
import { api, ApiError } from '../lib/api.js';
import { connectionRefusal } from './connect-rules.js';
import * as ops from './doc-ops.js';
import { checkDraft, placeMissing, toRegistry, type FieldView } from './draft.js';
import { newElementId } from './ids.js';
import { layoutPositions } from './layout.js';
import type { ElementStats, MapEditorState } from './map-editor-state.js';

export type { Position } from './doc-ops.js';
export type { ElementStats, MapEditorState } from './map-editor-state.js';

interface Internals {
  past: MapDocument[];
  future: MapDocument[];
  /** The document the server holds as the draft (reference equality decides `dirty`). */
  savedDoc: MapDocument | null;
  /** GET /api/fields, before the map's declarations. */
  knownFields: FieldRegistry;
  /** Every id seen while the map was open, so a new element never takes a deleted one's id. */
  seenIds: Set<string>;
  clipboard: Element[];
  pastes: number;
  lastEdit: { key: string; at: number } | null;
  loadToken: number;
  saving: Promise<boolean> | null;
}

type State = MapEditorState & Internals;

const UNDO_LIMIT = 100;
const COALESCE_MS = 1000;
const PASTE_OFFSET = 40;

interface MapView { id: string; name: string; status: MapStatus; version: number | null; rev: number; doc: unknown }
interface MapAnswer { map: MapView; problems: Problem[] }

const words = (e: unknown) => (e instanceof Error ? e.message : String(e));
const detailProblems = (e: unknown): Problem[] => {
  const d = e instanceof ApiError ? (e.details as { problems?: Problem[] } | undefined) : undefined;
  return Array.isArray(d?.problems) ? d.problems : [];
};
const CONFLICT = 'Someone else changed this map since you opened it';

const initial = {
  mapId: null, doc: null, rev: 0, status: 'draft' as MapStatus, version: null, dirty: false, loading: false, loadError: null,
  selection: [] as readonly string[], fields: new FieldRegistry(BUILTIN_FIELDS), problems: [] as readonly Problem[], stats: null,
  canUndo: false, canRedo: false, canPaste: false, laidOutOnOpen: false, conflict: null, error: null, errorProblems: [] as readonly Problem[], busy: null,
  past: [] as MapDocument[], future: [] as MapDocument[], savedDoc: null, knownFields: new FieldRegistry(BUILTIN_FIELDS),
  seenIds: new Set<string>(), clipboard: [] as Element[], pastes: 0, lastEdit: null, loadToken: 0, saving: null,
} satisfies Partial<State>;

/** Roughly how tall a new element is drawn, and the gap kept under it when it is put into the flow. */
const NEW_HEIGHT = 100;
const FLOW_GAP = 56;

/**
 * `added` put into the flow on `from`'s outlet `path`; what followed (and everything at or below it)
 * moves down when the new element would cover it.
 */
function insertWithRoom(doc: MapDocument, from: Element, path: string, added: Element): MapDocument {
  const after = (from as Record<string, unknown>)[path];
  const follows = typeof after === 'string' ? doc.elements.find((e) => e.id === after) : undefined;
  let next = ops.insertIntoFlow(doc, from.id, path, added);
  const at = added.position;
  if (follows?.position && at && follows.position.y > (from.position?.y ?? -Infinity)) {
    const dy = at.y + NEW_HEIGHT + FLOW_GAP - follows.position.y;
    if (dy > 0) next = ops.makeRoom(next, follows.position.y, dy, new Set([from.id, added.id]));
  }
  return next;
}

/** The editor's store; one map is open at a time. */
export const useMapEditor = create<State>()((set, get) => {
  /** What follows from a document: its fields, its problems, whether it is saved. */
  const derive = (doc: MapDocument, s: Pick<State, 'doc' | 'fields' | 'knownFields' | 'savedDoc'>) => ({
    doc,
    fields: s.doc && s.doc.fields === doc.fields ? s.fields : mapFieldRegistry(doc, s.knownFields),
    problems: checkDraft(doc, s.knownFields),
    dirty: doc !== s.savedDoc,
  });

  /** Makes `next` the draft as one undo step (or part of the last one, for rapid edits with the same `coalesce` key). */
  const commit = (next: MapDocument, extra: Partial<State> = {}, coalesce?: string) => {
    const s = get();
    if (!s.doc || next === s.doc) return void (Object.keys(extra).length && set(extra));
    const now = Date.now();
    const merge = coalesce !== undefined && s.lastEdit?.key === coalesce && now - s.lastEdit.at < COALESCE_MS;
    const past = merge ? s.past : [...s.past, s.doc].slice(-UNDO_LIMIT);
    for (const el of next.elements) s.seenIds.add(el.id);
    const ids = new Set(next.elements.map((e) => e.id));
    set({
      ...derive(next, s),
      past, future: [], canUndo: past.length > 0, canRedo: false,
      lastEdit: coalesce === undefined ? null : { key: coalesce, at: now },
      selection: (extra.selection ?? s.selection).filter((id) => ids.has(id)),
      ...extra,
    });
  };

  /** Runs a server action with `busy` set; failures become `error` in words. */
  const run = async <T>(busy: NonNullable<State['busy']>, fn: () => Promise<T>): Promise<T | null> => {
    set({ busy, error: null, errorProblems: [] });
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && (busy === 'saving' || busy === 'restoring')) set({ conflict: CONFLICT });
      else set({ error: words(e), errorProblems: detailProblems(e) });
      return null;
    } finally {
      set({ busy: null });
    }
  };

  const applyAnswer = (a: MapAnswer, sent: MapDocument) =>
    // A save ends the current undo step: typing on afterwards starts a new one.
    set({ rev: a.map.rev, status: a.map.status, version: a.map.version, savedDoc: sent, dirty: get().doc !== sent, lastEdit: null });

  const put = async (rev: number): Promise<boolean> => {
    const s = get();
    if (!s.doc || !s.mapId) return false;
    const sent = s.doc;
    const a = await api<MapAnswer>(`/maps/${encodeURIComponent(s.mapId)}`, { method: 'PUT', body: { rev, map: sent } });
    applyAnswer(a, sent);
    return true;
  };

  const path = (suffix = '') => `/maps/${encodeURIComponent(get().mapId ?? '')}${suffix}`;

  return {
    ...initial,

    async load(id) {
      const token = get().loadToken + 1;
      set({ ...initial, mapId: id, loading: true, loadToken: token, seenIds: new Set(), clipboard: get().clipboard, canPaste: get().clipboard.length > 0 });
      try {
        const [answer, fieldList] = await Promise.all([
          api<MapAnswer>(`/maps/${encodeURIComponent(id)}`),
          api<{ fields: FieldView[] }>('/fields'),
        ]);
        if (get().loadToken !== token) return;
        const loaded = answer.map.doc as MapDocument;
        const doc = placeMissing(loaded);
        const knownFields = toRegistry(fieldList.fields);
        set({
          laidOutOnOpen: loaded.elements.length > 0 && loaded.elements.every((e) => !e.position),
          ...derive(doc, { doc: null, fields: initial.fields, knownFields, savedDoc: doc }),
          knownFields, savedDoc: doc, loading: false,
          rev: answer.map.rev, status: answer.map.status, version: answer.map.version,
          seenIds: new Set(doc.elements.map((e) => e.id)),
        });
      } catch (e) {
        if (get().loadToken === token) set({ loading: false, loadError: words(e) });
      }
    },

    updateElement(id, patch) {
      const doc = get().doc;
      if (!doc) return;
      commit(ops.updateElement(doc, id, patch), {}, `el:${id}:${Object.keys(patch).sort().join(',')}`);
    },

    updateMap(patch) {
      const doc = get().doc;
      if (!doc) return;
      const next: Record<string, unknown> = { ...doc };
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) delete next[k];
        else next[k] = v;
      }
      commit(next as MapDocument, {}, `map:${Object.keys(patch).sort().join(',')}`);
    },

    addElement(kind, position, connectFrom) {
      const s = get();
      if (!s.doc) return '';
      const id = newElementId(kind, new Set([...s.seenIds, ...s.doc.elements.map((e) => e.id)]));
      const added = ops.newElement(kind, id, position, s.doc);
      const fromId = typeof connectFrom === 'string' ? connectFrom : connectFrom?.source;
      const from = fromId ? s.doc.elements.find((e) => e.id === fromId) : undefined;
      let next = ops.addElement(s.doc, added);
      if (from && connectionRefusal(from, ops.OUTLET_PATHS[from.kind][0], added) === null) {
        // Below the selection: its first empty outlet, else into the flow after it. On an edge: into that edge.
        const free = typeof connectFrom === 'string' ? ops.outletsOf(from).find((o) => !o.target) : undefined;
        const path = typeof connectFrom === 'string' ? ops.OUTLET_PATHS[from.kind][0] : connectFrom!.path;
        if (free) next = ops.setOutlet(next, from.id, free.path, id);
        else if (path) next = insertWithRoom(s.doc, from, path, added);
      }
      commit(next, { selection: [id] });
      return id;
    },

    removeElements(ids, connections = []) {
      const doc = get().doc;
      if (!doc) return;
      let next = ops.removeElements(doc, ids);
      for (const c of connections) next = ops.setOutlet(next, c.source, c.path, undefined);
      commit(next);
    },

    connect(sourceId, outletPath, targetId) {
      const doc = get().doc;
      if (!doc) return 'The map is not open';
      const find = (id: string) => doc.elements.find((e) => e.id === id);
      const refusal = connectionRefusal(find(sourceId), outletPath, find(targetId));
      if (refusal) return refusal;
      commit(ops.setOutlet(doc, sourceId, outletPath, targetId));
      return null;
    },

    disconnect(sourceId, outletPath) {
      const doc = get().doc;
      if (doc) commit(ops.setOutlet(doc, sourceId, outletPath, undefined));
    },

    moveElements(positions) {
      const doc = get().doc;
      if (!doc) return;
      commit(ops.moveElements(doc, positions instanceof Map ? positions : new Map(Object.entries(positions))));
    },

    select(ids) {
      const cur = get().selection;
      if (ids.length === cur.length && ids.every((id, i) => id === cur[i])) return;
      set({ selection: ids });
    },

    copy() {
      const s = get();
      if (!s.doc || !s.selection.length) return;
      const chosen = new Set(s.selection);
      const clipboard = s.doc.elements.filter((e) => chosen.has(e.id));
      set({ clipboard, pastes: 0, canPaste: clipboard.length > 0 });
    },

    paste() {
      const s = get();
      if (!s.doc || !s.clipboard.length) return;
      const offset = PASTE_OFFSET * (s.pastes + 1);
      const taken = new Set([...s.seenIds, ...s.doc.elements.map((e) => e.id)]);
      const { doc, ids } = ops.pasteElements(s.doc, s.clipboard, taken, { x: offset, y: offset });
      commit(doc, { selection: ids, pastes: s.pastes + 1 });
    },

    autoLayout(sizeOf) {
      const doc = get().doc;
      if (doc) commit(ops.moveElements(doc, layoutPositions(doc, sizeOf)));
    },

    settleLayout(sizeOf) {
      const s = get();
      if (!s.doc || !s.laidOutOnOpen) return;
      const doc = ops.moveElements(s.doc, layoutPositions(s.doc, sizeOf));
      const asLoaded = s.doc === s.savedDoc;
      set({ ...derive(doc, s), laidOutOnOpen: false, savedDoc: asLoaded ? doc : s.savedDoc, dirty: asLoaded ? false : doc !== s.savedDoc });
    },

    undo() {
      const s = get();
      if (!s.doc || !s.past.length) return;
      const prev = s.past[s.past.length - 1];
      const past = s.past.slice(0, -1);
      const future = [s.doc, ...s.future].slice(0, UNDO_LIMIT);
      const ids = new Set(prev.elements.map((e) => e.id));
      set({ ...derive(prev, s), past, future, canUndo: past.length > 0, canRedo: true, lastEdit: null, selection: s.selection.filter((id) => ids.has(id)) });
    },

    redo() {
      const s = get();
      if (!s.doc || !s.future.length) return;
      const [next, ...future] = s.future;
      const past = [...s.past, s.doc].slice(-UNDO_LIMIT);
      const ids = new Set(next.elements.map((e) => e.id));
      set({ ...derive(next, s), past, future, canUndo: true, canRedo: future.length > 0, lastEdit: null, selection: s.selection.filter((id) => ids.has(id)) });
    },

    async save() {
      const s = get();
      if (!s.doc || !s.mapId) return false;
      if (s.saving) return s.saving; // one save at a time: a second call waits for the first
      if (!s.dirty) return true;
      if (s.busy) return false;
      const saving = run('saving', () => put(s.rev)).then((r) => r === true).finally(() => set({ saving: null }));
      set({ saving });
      return saving;
    },

    async resolveConflict(choice) {
      const id = get().mapId;
      if (!id) return;
      set({ conflict: null });
      if (choice === 'reload') return get().load(id);
      // Keep mine: read the newer rev, then overwrite it with this draft.
      await run('saving', async () => {
        const latest = await api<MapAnswer>(path());
        return put(latest.map.rev);
      });
    },

    async publish(relocate = {}) {
      if (get().dirty && !(await get().save())) return null;
      const r = await run('publishing', () =>
        api<{ version: number; relocated: number }>(path('/publish'), { body: Object.keys(relocate).length ? { relocate } : {} }));
      if (r) set({ version: r.version, status: get().status === 'paused' ? 'paused' : 'published' });
      return r;
    },

    async pause() {
      const r = await run('pausing', () => api<MapView>(path('/pause'), { body: {} }));
      if (r) set({ status: r.status, version: r.version });
      return r !== null;
    },

    async resume() {
      const r = await run('resuming', () => api<MapView>(path('/resume'), { body: {} }));
      if (r) set({ status: r.status, version: r.version });
      return r !== null;
    },

    async restore(version) {
      const s = get();
      if (!s.doc) return false;
      const a = await run('restoring', () => api<MapAnswer>(path(`/versions/${version}/restore`), { body: { rev: s.rev } }));
      if (!a) return false;
      const doc = placeMissing(a.map.doc as MapDocument);
      set({ savedDoc: doc });
      commit(doc, { rev: a.map.rev, status: a.map.status, version: a.map.version, selection: [] });
      set({ dirty: get().doc !== get().savedDoc });
      return true;
    },

    async refreshStats() {
      if (!get().mapId) return;
      try {
        const r = await api<{ elements: Record<string, ElementStats> }>(path('/stats'));
        set({ stats: r.elements });
      } catch (e) {
        set({ error: `Could not read the counts: ${words(e)}` });
      }
    },

    dismissError() {
      set({ error: null, errorProblems: [] });
    },
  };
});
