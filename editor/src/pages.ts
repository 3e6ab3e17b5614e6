import { createElement, type ComponentType } from 'react';
import type { Role } from './lib/me.js';
import type { Route } from './lib/route.js';
import { MapsPage } from './features/maps-list/MapsPage.js';
import { MapEditorPage } from './features/map-editor/MapEditorPage.js';
import { ContactsPage } from './features/contacts/ContactsPage.js';
import { ScoringPage } from './features/scoring/ScoringPage.js';
import { SimulatePage } from './features/simulate/SimulatePage.js';
import { SettingsPage } from './features/settings/SettingsPage.js';
import { ReportsPage } from './features/reports/ReportsPage.js';
import { LeadsPage } from './features/leads/LeadsPage.js';
import { AuditPage } from './features/audit/AuditPage.js';

/** A top-level page: its URL section, its title in the navigation, and its component. */
export interface PageDef {
  readonly section: string;
  readonly title: string;
  readonly inNav: boolean;
  /** The role that sees it in the navigation (default: anyone signed in). */
  readonly role?: Role;
  readonly component: ComponentType<{ route: Route }>;
}

/** The pages; each feature folder adds its entry here. */
export const PAGES: PageDef[] = [
  // `#/maps` is the list, `#/maps/:id` the editor of one map.
  { section: 'maps', title: 'Maps', inNav: true, component: (p) => createElement(p.route.parts[1] ? MapEditorPage : MapsPage, p) },
  { section: 'contacts', title: 'Contacts', inNav: true, component: ContactsPage },
  // `#/leads` (My leads), `#/leads/:listId` (a saved list): the sales workspace.
  { section: 'leads', title: 'Leads', inNav: true, role: 'sales', component: LeadsPage },
  { section: 'scoring', title: 'Scoring', inNav: true, component: ScoringPage },
  { section: 'simulate', title: 'Simulate', inNav: true, component: SimulatePage },
  // `#/reports` (outcomes and reports), `#/reports/backtest` (a draft tried on real history).
  { section: 'reports', title: 'Reports', inNav: true, component: ReportsPage },
  // `#/settings` (API keys), `#/settings/keys`, `#/settings/webhooks`, `#/settings/webhooks/:id`.
  { section: 'audit', title: 'Audit', inNav: true, role: 'editor', component: AuditPage },
  { section: 'settings', title: 'Settings', inNav: true, role: 'editor', component: SettingsPage },
];
