/**
 * The sales actions on a contact (SPEC §12), as the contact page calls them. Each answers the
 * contact as GET /api/contacts/:id does, and leaves a history row naming who did it and why.
 */
import { api } from '../../lib/api.js';
import type { ContactLike } from './scores.js';

const on = (id: string, action: string) => `/contacts/${encodeURIComponent(id)}/${action}`;

/** Accepted or rejected by sales; null: no verdict yet. */
export type Verdict = 'accepted' | 'rejected';

/** The reasons a person chooses from when they accept or reject a lead. */
export interface QualificationReasons { readonly accepted: readonly string[]; readonly rejected: readonly string[] }

export const qualificationReasons = () => api<{ reasons: QualificationReasons; rev: number }>('/settings/qualification').then((r) => r.reasons);

/** Adds `points` (below 0: takes them away) to the model's score, as a grant from the person. */
export const adjustScore = (id: string, body: { points: number; reason: string; modelId?: string }) => api<ContactLike>(on(id, 'adjust'), { body });

/** Sets the model's score to 0: its ledger starts over. */
export const resetScore = (id: string, body: { reason: string; modelId?: string }) => api<ContactLike>(on(id, 'reset'), { body });

/** Accepts or rejects the lead with a reason of the list; null clears the verdict. */
export const qualify = (id: string, body: { status: Verdict | null; reason?: string }) => api<ContactLike>(on(id, 'qualify'), { body });

/** Gives the lead to the person with this email, or to nobody. */
export const setOwner = (id: string, owner: string | null) => api<ContactLike>(on(id, 'owner'), { method: 'PUT', body: { owner } });

/** Puts the contact on a map through its "added by hand" trigger: 1, or 0 when it stays where it is. */
export const addContactToMap = (id: string, mapId: string) => api<{ added: number }>(on(id, 'add-to-map'), { body: { mapId } });

/** Changes field values and tags. */
export const editContact = (id: string, body: { fields?: Record<string, unknown>; addTags?: string[]; removeTags?: string[] }) =>
  api<ContactLike>(`/contacts/${encodeURIComponent(id)}`, { method: 'PATCH', body });

/** A person who may own leads (GET /api/people, admins only). */
export interface PersonLine { readonly id: string; readonly email: string; readonly name: string; readonly role: string }

export const listPeople = () => api<{ people: PersonLine[] }>('/people').then((r) => r.people);
