import type { Route } from '../../lib/route.js';
import { href } from '../../lib/route.js';
import { ActivityPage } from './ActivityPage.js';
import { DataInPage } from './DataInPage.js';
import { FieldsPage } from './FieldsPage.js';
import { KeysPage } from './KeysPage.js';
import { WebhookDetail } from './WebhookDetail.js';
import { WebhooksPage } from './WebhooksPage.js';
import { PeoplePage } from '../people/PeoplePage.js';
import { can, useMe, type Role } from '../../lib/me.js';
import '../../lib/pages.css';
import './settings.css';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

/** The tabs, each with the role that sees it: Fields for editors, the rest for admins. */
const TABS: readonly { tab: string; title: string; role: Role }[] = [
  { tab: 'fields', title: 'Fields', role: 'editor' },
  { tab: 'keys', title: 'API keys', role: 'admin' },
  { tab: 'webhooks', title: 'Webhooks', role: 'admin' },
  { tab: 'data-in', title: 'Data in', role: 'admin' },
  { tab: 'activity', title: 'Activity', role: 'admin' },
  { tab: 'people', title: 'People', role: 'admin' },
];

/**
 * `#/settings` and its pages: `#/settings/keys` (the default), `#/settings/webhooks`,
 * `#/settings/webhooks/<id>` (one subscription and its deliveries), `#/settings/data-in`,
 * `#/settings/activity`, `#/settings/fields` (the contact fields), `#/settings/people` (SPEC §12).
 * Each tab shows only to the roles that may use it.
 */
export function SettingsPage({ route }: { route: Route }) {
  const me = useMe();
  const tabs = TABS.filter((t) => can(me, t.role));
  if (!tabs.length) return <p className="notice">Settings are for editors and admins: ask an admin to change what you need.</p>;
  const tab = tabs.find((t) => t.tab === route.parts[1])?.tab ?? (tabs.some((t) => t.tab === 'keys') ? 'keys' : tabs[0].tab);
  const id = tab === 'webhooks' ? route.parts[2] : undefined;
  return (
    <div className="settings-page">
      <div className="settings-top">
        <nav className="settings-tabs" aria-label="Settings">
          {tabs.map((t) => (
            <a key={t.tab} href={href(`/settings/${t.tab}`)} aria-current={t.tab === tab ? 'page' : undefined}>{t.title}</a>
          ))}
        </nav>
        <HelpLink page={DOCS.settings} />
      </div>
      {tab === 'fields' ? <FieldsPage /> : tab === 'people' ? <PeoplePage /> : tab === 'keys' ? <KeysPage /> : tab === 'data-in' ? <DataInPage /> : tab === 'activity' ? <ActivityPage /> : id ? <WebhookDetail key={id} id={id} /> : <WebhooksPage />}
    </div>
  );
}
