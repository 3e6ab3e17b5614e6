import type { AuditActor } from './api.js';

/** The "Kind of change" filter: an action prefix and its words. */
export const KINDS: readonly (readonly [string, string])[] = [
  ['', 'Any change'],
  ['map.', 'Maps: any'], ['map.publish', 'Maps: published'], ['map.save', 'Maps: draft saved'],
  ['model.', 'Scoring models: any'], ['field.', 'Fields'], ['key.', 'API keys'], ['webhook.', 'Webhooks'],
  ['setting.', 'Settings'], ['person.', 'People'], ['contact.', 'Contacts (by hand)'], ['list.', 'Saved lists'],
];

/** The "Target" filter: target types and their words. */
export const TARGETS: readonly (readonly [string, string])[] = [
  ['', 'Anything'], ['map', 'A map'], ['model', 'A scoring model'], ['field', 'A field'], ['key', 'An API key'],
  ['webhook', 'A webhook'], ['setting', 'A setting'], ['person', 'A person'], ['contact', 'A contact'], ['list', 'A saved list'],
];

const VERBS: Readonly<Record<string, string>> = {
  create: 'created', import: 'imported', save: 'saved', publish: 'published', pause: 'paused', resume: 'resumed',
  restore: 'restored', delete: 'deleted', enroll: 'contacts added', rescore: 'rescore', promote: 'promoted', challenger: 'made challenger',
  add: 'added', change: 'changed', revoke: 'revoked', secret: 'secret changed', redeliver: 'redelivered', remove: 'removed',
  adjust: 'adjusted', merge: 'merged', reset: 'reset', qualify: 'qualified', owner: 'owner set', edit: 'edited', role: 'role changed', password: 'password reset',
};
const NOUNS: Readonly<Record<string, string>> = {
  map: 'Map', model: 'Model', field: 'Field', key: 'API key', webhook: 'Webhook', setting: 'Setting', person: 'Person', contact: 'Contact', list: 'List',
};

/** An action in a few words: `map.publish` → "Map published". */
export function actionWords(action: string): string {
  const [target, verb = ''] = action.split('.');
  return `${NOUNS[target] ?? target} ${VERBS[verb] ?? verb.replace(/[_-]/g, ' ')}`.trim();
}

/** Who, as a cell says it: a person's name, a key's name, "the start-up token" (capitalised). */
export function whoWords(a: AuditActor): string {
  return a.name.charAt(0).toUpperCase() + a.name.slice(1);
}
