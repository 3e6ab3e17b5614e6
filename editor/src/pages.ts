import type { ComponentType } from 'react';
import type { Route } from './lib/route.js';
import { MapsPage } from './features/maps-list/MapsPage.js';

/** A top-level page: its URL section, its title in the navigation, and its component. */
export interface PageDef {
  readonly section: string;
  readonly title: string;
  readonly inNav: boolean;
  readonly component: ComponentType<{ route: Route }>;
}

/** The pages; each feature folder adds its entry here. */
export const PAGES: PageDef[] = [
  { section: 'maps', title: 'Maps', inNav: true, component: MapsPage },
];
