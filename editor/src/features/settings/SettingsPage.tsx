import type { Route } from '../../lib/route.js';
import { href } from '../../lib/route.js';
import { KeysPage } from './KeysPage.js';
import { WebhookDetail } from './WebhookDetail.js';
import { WebhooksPage } from './WebhooksPage.js';
import '../../lib/pages.css';
import './settings.css';

const TABS = [
  { tab: 'keys', title: 'API keys' },
  { tab: 'webhooks', title: 'Webhooks' },
] as const;

/**
 * `#/settings` and its pages: `#/settings/keys` (the default), `#/settings/webhooks`,
 * `#/settings/webhooks/<id>` (one subscription and its deliveries).
 */
export function SettingsPage({ route }: { route: Route }) {
  const tab = route.parts[1] === 'webhooks' ? 'webhooks' : 'keys';
  const id = tab === 'webhooks' ? route.parts[2] : undefined;
  return (
    <div className="settings-page">
      <nav className="settings-tabs" aria-label="Settings">
        {TABS.map((t) => (
          <a key={t.tab} href={href(`/settings/${t.tab}`)} aria-current={t.tab === tab ? 'page' : undefined}>{t.title}</a>
        ))}
      </nav>
      {tab === 'keys' ? <KeysPage /> : id ? <WebhookDetail key={id} id={id} /> : <WebhooksPage />}
    </div>
  );
}
