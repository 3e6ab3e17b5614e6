import type { ElementKindName } from '../../../engine/elements/index.js';
import type { TriggerType } from '../../../engine/elements/trigger.js';

/** A page of the documentation the editor links to: its path under `docs/`, its title, and the heading to open at. */
export interface DocPage {
  readonly path: string;
  readonly title: string;
  /** A heading's anchor on the page (as the code host makes it), or none for the top. */
  readonly anchor?: string;
}

/** Where the server serves the repository's `docs/`. */
export const DOCS_BASE = '/docs';

/** The live API reference of the running server. */
export const API_REFERENCE = `${DOCS_BASE}/api`;

/** The address of a docs page on the server, at its heading when it names one. */
export const docsUrl = (page: DocPage) => `${DOCS_BASE}/${page.path}${page.anchor ? `#${page.anchor}` : ''}`;

/** The pages of the editor's panels and pages; every one must exist under `docs/` (lib/docs.test.ts). */
export const DOCS = {
  maps: { path: 'guide/editor/maps.md', title: 'Maps' },
  mapEditor: { path: 'guide/editor/map-editor.md', title: 'The map editor' },
  simulation: { path: 'guide/simulation.md', title: 'Simulation' },
  publishing: { path: 'guide/publishing.md', title: 'Publishing, versions and relocation' },
  contacts: { path: 'guide/editor/contacts.md', title: 'Contacts' },
  merge: { path: 'contact-merge.md', title: 'Merging contacts' },
  scoring: { path: 'scoring.md', title: 'Scoring models' },
  ruleOptions: { path: 'scoring.md', title: 'Rule options', anchor: 'rules-and-their-options' },
  challengers: { path: 'challengers.md', title: 'Challenger models' },
  backtest: { path: 'backtest.md', title: 'Backtest' },
  fields: { path: 'fields.md', title: 'Contact fields' },
  reports: { path: 'reports.md', title: 'Reports' },
  sales: { path: 'sales.md', title: 'The sales workspace' },
  people: { path: 'people.md', title: 'People, roles and sessions' },
  audit: { path: 'audit.md', title: 'The audit log' },
  settings: { path: 'guide/editor/settings.md', title: 'Settings' },
  keys: { path: 'integrations/keys.md', title: 'API keys' },
  webhooks: { path: 'integrations/webhooks.md', title: 'Webhooks' },
  segment: { path: 'integrations/segment.md', title: 'Segment and RudderStack' },
  tracker: { path: 'integrations/tracker.md', title: 'The website tracker' },
} as const satisfies Record<string, DocPage>;

/** Each element kind's page in the guide (a new kind needs its line here, and its page). */
export const ELEMENT_DOCS: { readonly [K in ElementKindName]: DocPage } = {
  trigger: { path: 'guide/elements/trigger.md', title: 'Trigger' },
  update_field: { path: 'guide/elements/update-field.md', title: 'Update field' },
  wait: { path: 'guide/elements/wait.md', title: 'Wait' },
  condition: { path: 'guide/elements/condition.md', title: 'Condition' },
  goto: { path: 'guide/elements/goto.md', title: 'Go to' },
  end: { path: 'guide/elements/end.md', title: 'End' },
  webhook: { path: 'guide/elements/webhook.md', title: 'Webhook' },
  assign_owner: { path: 'guide/elements/assign-owner.md', title: 'Assign owner' },
};

/** Each trigger type's page in the guide. */
export const TRIGGER_DOCS: { readonly [T in TriggerType]: DocPage } = {
  event: { path: 'guide/triggers/event.md', title: 'Event trigger' },
  field_updated: { path: 'guide/triggers/field-updated.md', title: 'Field updated trigger' },
  contact_created: { path: 'guide/triggers/contact-created.md', title: 'Contact created trigger' },
  tag_added: { path: 'guide/triggers/tag-added.md', title: 'Tag added trigger' },
  tag_removed: { path: 'guide/triggers/tag-removed.md', title: 'Tag removed trigger' },
  date_reached: { path: 'guide/triggers/date-reached.md', title: 'Date reached trigger' },
  schedule: { path: 'guide/triggers/schedule.md', title: 'Schedule trigger' },
  manual: { path: 'guide/triggers/manual.md', title: 'Manual trigger' },
};

/** The page for an element in the inspector: a trigger's is its type's, any other its kind's. */
export function elementDoc(el: { readonly kind: ElementKindName; readonly on?: { readonly type: TriggerType } }): DocPage {
  return el.kind === 'trigger' && el.on ? TRIGGER_DOCS[el.on.type] : ELEMENT_DOCS[el.kind];
}

/** Every page the editor links to. */
export const ALL_DOC_PAGES: readonly DocPage[] = [...Object.values(DOCS), ...Object.values(ELEMENT_DOCS), ...Object.values(TRIGGER_DOCS)];
