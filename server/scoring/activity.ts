import type { CompiledModel } from '../../engine/scoring/compile.js';
import { ruleKey } from '../../engine/scoring/model.js';
import type { Store } from '../store/store.js';
import type { CountedRules } from './ledger-store.js';

/**
 * Event types that are not meaningful activity by default (SPEC §9): a bounce, an unsubscribe or a
 * spam report never postpones an inactivity reset or degradation.
 */
export const DEFAULT_NOT_ACTIVITY: readonly string[] = ['email_bounced', 'email_unsubscribed', 'email_marked_spam'];

/** Where the setting is kept (the `meta` table). */
export const NOT_ACTIVITY_KEY = 'scoring.notActivity';

/** The event types that do not count as activity, as set (the default when never set). */
export async function readNotActivity(store: Store): Promise<ReadonlySet<string>> {
  const saved = await store.getMeta(NOT_ACTIVITY_KEY);
  if (saved === null) return new Set(DEFAULT_NOT_ACTIVITY);
  try {
    const list = JSON.parse(saved) as unknown;
    return new Set(Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : DEFAULT_NOT_ACTIVITY);
  } catch {
    return new Set(DEFAULT_NOT_ACTIVITY);
  }
}

/** The rules that count their grants (`maxTimes`, `repeatMultiplier`), with how many latest grants each needs. */
export function countedRules(models: readonly CompiledModel[]): CountedRules {
  const out = new Map<string, { modelId: string; ruleId: string; keep: number }>();
  for (const m of models) {
    for (const r of m.model.rules) {
      if (r.maxTimes === undefined && r.repeatMultiplier === undefined) continue;
      out.set(ruleKey(m.model.id, r.id), { modelId: m.model.id, ruleId: r.id, keep: Math.max(1, r.maxTimes ?? 1) });
    }
  }
  return out;
}
