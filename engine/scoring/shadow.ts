import type { CompiledModel } from './compile.js';
import type { ScoringModel } from './model.js';
import { bracketField } from './run.js';

/** The fields of a challenger (`shadow: true`): its score field and its bracket field. */
export function challengerFields(model: Pick<ScoringModel, 'field' | 'shadow' | 'brackets'>): string[] {
  if (!model.shadow) return [];
  return model.brackets?.length ? [model.field, bracketField(model.field)] : [model.field];
}

const NONE: ReadonlySet<string> = new Set();
/** The quiet fields of each list of models (a world's list is replaced, never changed). */
const QUIET = new WeakMap<readonly CompiledModel[], ReadonlySet<string>>();

/**
 * The fields whose changes nothing hears (SPEC §11 "challenger models"): the score and bracket
 * fields of every model that runs in shadow. Their changes are written and kept in history, but
 * fire no `field_updated` trigger, wake no condition wait, re-check no rule and queue no webhook.
 */
export function quietFields(models: readonly CompiledModel[] | undefined): ReadonlySet<string> {
  if (!models?.length) return NONE;
  let quiet = QUIET.get(models);
  if (!quiet) {
    const keys = models.flatMap((m) => challengerFields(m.model));
    QUIET.set(models, (quiet = keys.length ? new Set(keys) : NONE));
  }
  return quiet;
}
