import type { Route } from '../../lib/route.js';
import { href } from '../../lib/route.js';
import { ActivityPage } from './ActivityPage.js';
import { DataInPage } from './DataInPage.js';
import { FieldsPage } from './FieldsPage.js';
import { KeysPage } from './KeysPage.js';
import { WebhookDetail } from './WebhookDetail.js';
import { WebhooksPage } from './WebhooksPage.js';
import '../../lib/pages.css';
import './settings.css';

const TABS = [
  { tab: 'fields', title: 'Fields' },
  { tab: 'keys', title: 'API keys' },
  { tab: 'webhooks', title: 'Webhooks' },
  { tab: 'data-in', title: 'Data in' },
  { tab: 'activity', title: 'Activity' },
] as const;

/**
 * `#/settings` and its pages: `#/settings/keys` (the default), `#/settings/webhooks`,
 * `#/settings/webhooks/<id>` (one subscription and its deliveries), `#/settings/data-in`,
 * `#/settings/activity`, `#/settings/fields` (the contact fields).
 */
export function SettingsPage({ route }: { route: Route }) {
  const tab = TABS.find((t) => t.tab === route.parts[1])?.tab ?? 'keys';
  const id = tab === 'webhooks' ? route.parts[2] : undefined;
  return (
    <div className="settings-page">
      <nav className="settings-tabs" aria-label="Settings">
        {TABS.map((t) => (
          <a key={t.tab} href={href(`/settings/${t.tab}`)} aria-current={t.tab === tab ? 'page' : undefined}>{t.title}</a>
        ))}
      </nav>
      {tab === 'fields' ? <FieldsPage /> : tab === 'keys' ? <KeysPage /> : tab === 'data-in' ? <DataInPage /> : tab === 'activity' ? <ActivityPage /> : id ? <WebhookDetail key={id} id={id} /> : <WebhooksPage />}
    </div>
  );
}
