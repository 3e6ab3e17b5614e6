import { api } from '../../lib/api.js';
import type { MePerson, Role } from '../../lib/me.js';

/** A person as the People page lists them. */
export interface PersonRow extends MePerson {
  readonly createdAt: string;
  readonly lastSeenAt: string | null;
}

/** Whether anyone has an account yet (no sign-in needed to ask). */
export const anyAccounts = () => api<{ accounts: boolean }>('/session').then((r) => r.accounts);
export const signIn = (email: string, password: string) => api<{ person: MePerson }>('/session', { method: 'POST', body: { email, password } });
export const signOut = () => api<void>('/session', { method: 'DELETE' });
export const listPeople = () => api<{ people: PersonRow[] }>('/people').then((r) => r.people);
export const addPerson = (p: { email: string; name: string; role: Role; password: string }) => api<MePerson>('/people', { method: 'POST', body: p });
export const changePerson = (id: string, change: { name?: string; email?: string; role?: Role }) =>
  api<MePerson>(`/people/${encodeURIComponent(id)}`, { method: 'PATCH', body: change });
export const removePerson = (id: string) => api<void>(`/people/${encodeURIComponent(id)}`, { method: 'DELETE' });
export const resetPassword = (id: string, password: string) => api<void>(`/people/${encodeURIComponent(id)}/password`, { method: 'POST', body: { password } });
export const changeOwnPassword = (current: string, password: string) => api<void>('/me/password', { method: 'POST', body: { current, password } });

/** The least length of a password (the server's rule). */
export const PASSWORD_MIN = 10;
