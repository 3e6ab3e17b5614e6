/**
 * The activity setting as Settings → Activity uses it (SPEC §9 "Meaningful activity"): the event
 * types that do not move a contact's last activity.
 */
import { api } from '../../lib/api.js';
import { isMissingEndpoint } from '../scoring/api.js';

/** `GET`/`PUT /api/settings/activity`. */
export interface ActivitySetting {
  readonly notActivity: readonly string[];
}

/** What the server starts with: a bounce, an unsubscribe or a spam report is not interest. */
export const DEFAULT_NOT_ACTIVITY: readonly string[] = ['email_bounced', 'email_marked_spam', 'email_unsubscribed'];

/** The setting, or null when this server does not keep one. */
export async function getActivitySetting(): Promise<ActivitySetting | null> {
  try {
    return await api<ActivitySetting>('/settings/activity');
  } catch (e) {
    if (isMissingEndpoint(e)) return null;
    throw e;
  }
}

/** Saves the list whole; the answer is the setting as kept. */
export async function saveActivitySetting(setting: ActivitySetting): Promise<ActivitySetting> {
  return api<ActivitySetting>('/settings/activity', { method: 'PUT', body: setting });
}
