/**
 * Why a field changed, in words (SPEC §1 "History"): "Clicked a link in an email (model Main
 * score)", "map Custom Lead Score, element Subtract 2 points", "degradation", "by Ana Lima: “Called,
 * budget confirmed”" (by hand, SPEC §12), "API", "import".
 */
import { api } from '../../lib/api.js';
import { formatDelta, formatValue } from '../charts/format.js';
import { getModel } from '../scoring/api.js';

/** A history entry's cause as the API answers it. */
export type Cause = Readonly<Record<string, unknown>>;

/** Names for the ids causes carry; each falls back to the id when unknown. */
export interface CauseNames {
  map(id: string): string | undefined;
  element(mapId: string, version: number | undefined, elementId: string): string | undefined;
  model(id: string): string | undefined;
  rule(modelId: string, ruleId: string): string | undefined;
}

export const NO_NAMES: CauseNames = { map: () => undefined, element: () => undefined, model: () => undefined, rule: () => undefined };

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? '' : String(v));

/** The cause in words. */
export function describeCause(cause: Cause, names: CauseNames): string {
  if ('scoringModel' in cause) {
    const model = str(cause.scoringModel);
    const why = cause.reason === 'expired' ? ': points expired' : cause.reason === 'rescore' ? ': taken back by a rescore' : '';
    return `${names.rule(model, str(cause.rule)) ?? `rule ${str(cause.rule)}`}${why} (model ${names.model(model) ?? model})`;
  }
  if ('decay' in cause) {
    const model = str(cause.decay);
    return `degradation (model ${names.model(model) ?? model})`;
  }
  if ('map' in cause && 'element' in cause) {
    const map = str(cause.map);
    const version = typeof cause.version === 'number' ? cause.version : undefined;
    const element = str(cause.element);
    return `map ${names.map(map) ?? map}, element ${names.element(map, version, element) ?? element}`;
  }
  if ('publish' in cause) {
    const p = cause.publish as { map?: string; version?: number };
    return `publishing map ${names.map(str(p.map)) ?? str(p.map)}${p.version ? ` v${p.version}` : ''}`;
  }
  if ('event' in cause) {
    const e = cause.event as { type?: string };
    return `event ${str(e.type)}`;
  }
  if ('merge' in cause) {
    const m = cause.merge as { from?: string; via?: string };
    return `merged from contact ${str(m.from)}${m.via === 'segment' ? ' (identified by an integration)' : ''}`;
  }
  if (cause.api === true) {
    // A change by hand (SPEC §12): who made it (a person, a key, the start-up token) and the reason they gave.
    const by = typeof cause.by === 'object' && cause.by !== null ? str((cause.by as { name?: unknown }).name) : '';
    const reason = typeof cause.reason === 'string' && cause.reason ? `: “${cause.reason}”` : '';
    return `${by ? `by ${by}` : 'API'}${reason}`;
  }
  if (cause.import === true) return 'import';
  return JSON.stringify(cause);
}

/** A change in words: "+5" for numbers, "Cold → MQL" for the rest. */
export function describeChange(from: unknown, to: unknown, type?: string): string {
  if (typeof to === 'number' && (typeof from === 'number' || from === null)) return formatDelta(to - (from ?? 0));
  return `${formatValue(from, type)} → ${formatValue(to, type)}`;
}

interface MapDocLike {
  readonly name?: string;
  readonly elements?: readonly { id: string; label?: string }[];
}

/**
 * Loads the names the given causes need: map names, element labels of the versions they name,
 * model names and rule labels. What cannot be loaded (a deleted map, an older server) stays an id.
 */
export async function loadCauseNames(causes: readonly Cause[]): Promise<CauseNames> {
  const versions = new Map<string, { map: string; version: number | undefined }>();
  const models = new Set<string>();
  let needMaps = false;
  for (const c of causes) {
    if ('map' in c && 'element' in c) {
      const version = typeof c.version === 'number' ? c.version : undefined;
      versions.set(`${str(c.map)}@${version ?? ''}`, { map: str(c.map), version });
      needMaps = true;
    } else if ('publish' in c || 'merge' in c) needMaps = true; // a merge ends the duplicate's places on maps
    if ('scoringModel' in c) models.add(str(c.scoringModel));
    if ('decay' in c) models.add(str(c.decay));
  }
  const mapNames = new Map<string, string>();
  const labels = new Map<string, Map<string, string>>();
  const modelNames = new Map<string, string>();
  const ruleLabels = new Map<string, Map<string, string>>();
  const quietly = <T,>(p: Promise<T>) => p.catch(() => undefined);
  await Promise.all([
    needMaps && quietly(api<{ maps: { id: string; name: string }[] }>('/maps').then((r) => r.maps.forEach((m) => mapNames.set(m.id, m.name)))),
    ...[...versions.entries()].map(([key, v]) => quietly(
      (v.version === undefined
        ? api<{ map: { doc: MapDocLike } }>(`/maps/${encodeURIComponent(v.map)}`).then((r) => r.map.doc)
        : api<{ doc: MapDocLike }>(`/maps/${encodeURIComponent(v.map)}/versions/${v.version}`).then((r) => r.doc)
      ).then((doc) => labels.set(key, new Map((doc.elements ?? []).filter((e) => e.label).map((e) => [e.id, e.label!])))),
    )),
    ...[...models].map((id) => quietly(getModel(id).then((m) => {
      modelNames.set(id, m.name);
      ruleLabels.set(id, new Map((m.rules ?? []).map((r) => [r.id, r.label])));
    }))),
  ]);
  return {
    map: (id) => mapNames.get(id),
    element: (map, version, el) => labels.get(`${map}@${version ?? ''}`)?.get(el),
    model: (id) => modelNames.get(id),
    rule: (model, rule) => ruleLabels.get(model)?.get(rule),
  };
}
