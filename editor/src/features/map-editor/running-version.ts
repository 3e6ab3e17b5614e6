/**
 * The open map's running version, read whenever the version changes, and what the draft changes
 * against it: "Unpublished changes" in the toolbar and the versions drawer, the publish dialog's
 * summary, and Publish disabled when nothing differs.
 */
import { useEffect, useMemo } from 'react';
import { create } from 'zustand';
import { diffMaps, isSameMap, type MapDiff } from '../../../../engine/map-diff.js';
import type { MapDocument } from '../../../../engine/schema/map.js';
import { api } from '../../lib/api.js';
import { useMapEditor } from '../../store/map-editor.js';

interface Running {
  /** `mapId:version` the document belongs to. */
  readonly key: string | null;
  readonly doc: MapDocument | null;
}

const useRunning = create<Running>()(() => ({ key: null, doc: null }));
const keyOf = (mapId: string | null, version: number | null) => (mapId && version !== null ? `${mapId}:${version}` : null);

/** Keeps the running version of the open map loaded (call once, in the editor). */
export function useRunningVersionLoader(): void {
  const mapId = useMapEditor((s) => s.mapId);
  const version = useMapEditor((s) => s.version);
  useEffect(() => {
    const key = keyOf(mapId, version);
    if (!key || useRunning.getState().key === key) return;
    let live = true;
    api<{ doc: MapDocument }>(`/maps/${encodeURIComponent(mapId!)}/versions/${version}`).then(
      (r) => live && useRunning.setState({ key, doc: r.doc }),
      // Unknown: no mark rather than a wrong one; Publish stays possible.
      () => live && useRunning.setState({ key: null, doc: null }),
    );
    return () => { live = false; };
  }, [mapId, version]);
}

/** The running version's document of the open map, or null (never published, or not read yet). */
export function useRunningDoc(): MapDocument | null {
  const want = useMapEditor((s) => keyOf(s.mapId, s.version));
  const running = useRunning();
  return want !== null && running.key === want ? running.doc : null;
}

/** What the draft in the editor (saved or not) changes against the running version; null when unknown or never published. */
export function useDraftDiff(): MapDiff | null {
  const doc = useMapEditor((s) => s.doc);
  const running = useRunningDoc();
  return useMemo(() => (doc && running ? diffMaps(running, doc) : null), [doc, running]);
}

/** Whether the draft differs from the running version (false when unknown). */
export function useUnpublishedChanges(): boolean {
  const diff = useDraftDiff();
  return diff !== null && !isSameMap(diff);
}

/** Whether publishing now would make a version the same as the running one. */
export function useNothingToPublish(): boolean {
  const diff = useDraftDiff();
  return diff !== null && isSameMap(diff);
}
