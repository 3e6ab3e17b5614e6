import { api } from '../../lib/api.js';

/** Who made a change, as the audit log names them. */
export interface AuditActor {
  readonly kind: 'person' | 'key' | 'token' | 'system';
  readonly id: string | null;
  readonly name: string;
}

/** One entry of `GET /api/audit`. */
export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: AuditActor;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly summary: string;
  readonly detail: unknown;
}

/** The page's filters, as the query string of `GET /api/audit` takes them (empty: not filtered). */
export interface AuditFilters {
  readonly actor: string;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  /** Days (YYYY-MM-DD), both included. */
  readonly from: string;
  readonly to: string;
}

export const NO_FILTERS: AuditFilters = { actor: '', action: '', targetType: '', targetId: '', from: '', to: '' };

/** The day after a YYYY-MM-DD day: "to" includes its day, the API's `to` does not. */
const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
/** A local day's start as an instant. */
const localStart = (day: string) => new Date(`${day}T00:00:00`).toISOString();

/** One page of the log, newest first: after `before` when given. */
export async function loadAudit(f: AuditFilters, before?: number, limit = 50): Promise<{ entries: AuditEntry[]; nextBefore?: number }> {
  const q = new URLSearchParams({ limit: String(limit) });
  if (f.actor) q.set('actor', f.actor);
  if (f.action) q.set('action', f.action);
  if (f.targetType) q.set('targetType', f.targetType);
  if (f.targetId.trim()) q.set('targetId', f.targetId.trim());
  if (f.from) q.set('from', localStart(f.from));
  if (f.to) q.set('to', localStart(dayAfter(f.to)));
  if (before !== undefined) q.set('before', String(before));
  return api(`/audit?${q}`);
}

/** Everyone the log names, for the person filter. */
export async function loadActors(): Promise<AuditActor[]> {
  return (await api<{ actors: AuditActor[] }>('/audit/actors')).actors;
}
