import { sameJson } from '../../engine/map-diff.js';
import type { Subscription } from '../webhooks/store.js';
import type { AuditEntry } from './log.js';
import { change, q } from './words.js';

/**
 * The entry of a change to a webhook: `webhook.pause` or `webhook.resume` when only its status
 * changed, `webhook.secret` when only its secret did, else `webhook.change` naming each change.
 * Null when nothing changed. A secret never goes into the log, only that it changed.
 */
export function webhookChange(old: Subscription, next: Subscription): AuditEntry | null {
  const target = { targetType: 'webhook', targetId: old.id };
  const said: string[] = [];
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const k of ['name', 'url', 'events', 'fields', 'format'] as const) {
    if (sameJson(old[k], next[k])) continue;
    before[k] = old[k];
    after[k] = next[k];
    said.push(k === 'events' || k === 'fields'
      ? `${k} ${old[k]?.join(', ') || (k === 'fields' ? 'all' : 'none')} → ${next[k]?.join(', ') || (k === 'fields' ? 'all' : 'none')}`
      : change(k, old[k], next[k]));
  }
  const rotated = old.secret !== next.secret;
  const status = old.status !== next.status ? next.status : null;
  if (!said.length && !rotated && !status) return null;
  const statusWords = status === 'paused' ? 'paused it' : old.status === 'disabled' ? 're-enabled it' : 'resumed it';
  if (!said.length && !rotated) {
    return { ...target, action: status === 'paused' ? 'webhook.pause' : 'webhook.resume', summary: `${status === 'paused' ? 'Paused' : old.status === 'disabled' ? 'Re-enabled' : 'Resumed'} the webhook ${q(old.name)}` };
  }
  if (!said.length && !status) return { ...target, action: 'webhook.secret', summary: `Changed the signing secret of the webhook ${q(old.name)}` };
  if (rotated) said.push('changed its signing secret');
  if (status) said.push(statusWords);
  return {
    ...target, action: 'webhook.change', summary: `Changed the webhook ${q(old.name)}: ${said.join(', ')}`,
    detail: { before: { ...before, ...(status ? { status: old.status } : {}) }, after: { ...after, ...(status ? { status } : {}) }, ...(rotated ? { secretChanged: true } : {}) },
  };
}
