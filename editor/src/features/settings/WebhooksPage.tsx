import { useState } from 'react';
import { href, navigate } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { useServerNow } from '../../lib/use-server-now.js';
import { isMissingEndpoint } from '../scoring/api.js';
import { listWebhooks, updateWebhook, type Webhook } from './api.js';
import { DeleteWebhookDialog, StatusBadge } from './WebhookParts.js';
import { WebhookForm } from './WebhookForm.js';
import { VerifyHelp } from './VerifyHelp.js';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

type Modal = { kind: 'new' } | { kind: 'delete'; webhook: Webhook } | null;

const open = (id: string) => navigate(`/settings/webhooks/${encodeURIComponent(id)}`);

/** `#/settings/webhooks`: the subscriptions with their status and delivery counts (SPEC §10 "Webhooks out"). */
export function WebhooksPage() {
  const hooks = useLoad(() => listWebhooks().catch((e) => {
    if (isMissingEndpoint(e)) return null;
    throw e;
  }), []);
  const now = useServerNow();
  const [modal, setModal] = useState<Modal>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = hooks.data ?? [];

  const setStatus = async (w: Webhook, status: 'active' | 'paused') => {
    setBusy(w.id);
    setError(null);
    try {
      await updateWebhook(w.id, { status });
      hooks.reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="page-body">
      <header className="page-head">
        <h1>Webhooks</h1>
        <HelpLink page={DOCS.webhooks} />
        <span className="sub">Scoremap posts to these addresses the moment something happens, signed, and retries for 3 days.</span>
        <div className="actions">
          <button type="button" className="primary" onClick={() => setModal({ kind: 'new' })} disabled={hooks.data === null}>New webhook</button>
        </div>
      </header>
      {error && <p className="notice error" role="alert">{error}</p>}
      {hooks.error && <p className="notice error" role="alert">The webhooks could not be loaded: {hooks.error} <button type="button" className="link" onClick={hooks.reload}>Try again</button></p>}
      {hooks.loading && !hooks.data && <p className="loading">Loading webhooks…</p>}
      {hooks.data === null && <p className="notice">This server does not offer webhooks yet (no <code>/api/webhooks</code>). Update Scoremap to manage them here.</p>}
      {list.some((w) => w.status === 'disabled') && (
        <p className="notice error" role="alert">
          {list.filter((w) => w.status === 'disabled').length === 1 ? 'A webhook was' : 'Some webhooks were'} disabled after failing for 3 days. Open it to see why and to re-enable it.
        </p>
      )}
      {hooks.data && !list.length && (
        <div className="empty">
          <strong>No webhooks yet</strong>
          Send score changes to your CRM, a Slack channel or an automation tool the moment they happen.
          <div className="actions"><button type="button" className="primary" onClick={() => setModal({ kind: 'new' })}>New webhook</button></div>
        </div>
      )}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="data webhooks">
            <thead>
              <tr>
                <th scope="col">Name and URL</th><th scope="col">Events</th><th scope="col">Status</th>
                <th scope="col" className="num">Pending</th><th scope="col" className="num">Delivered</th><th scope="col" className="num">Failed</th>
                <th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {list.map((w) => (
                <tr key={w.id}>
                  <td className="hook-name">
                    <a href={href(`/settings/webhooks/${encodeURIComponent(w.id)}`)}><b>{w.name}</b></a>
                    <div className="muted small url" title={w.url}>{w.url}</div>
                  </td>
                  <td className="events-cell">
                    {w.events.map((e) => <span key={e} className="tag">{e}</span>)}
                    {w.format === 'slack' && <span className="tag slack">Slack</span>}
                  </td>
                  <td className="status-cell"><StatusBadge webhook={w} now={now} /></td>
                  <td className="num">{w.counts.pending.toLocaleString()}</td>
                  <td className="num">{w.counts.delivered.toLocaleString()}</td>
                  <td className="num">{w.counts.failed > 0 ? <span className="badge danger">{w.counts.failed.toLocaleString()}</span> : <span className="muted">0</span>}</td>
                  <td className="actions">
                    {w.status === 'active'
                      ? <button type="button" onClick={() => void setStatus(w, 'paused')} disabled={busy !== null} aria-label={`Pause ${w.name}`}>Pause</button>
                      : <button type="button" onClick={() => void setStatus(w, 'active')} disabled={busy !== null} aria-label={`${w.status === 'disabled' ? 'Re-enable' : 'Resume'} ${w.name}`}>{w.status === 'disabled' ? 'Re-enable' : 'Resume'}</button>}{' '}
                    <button type="button" className="danger" onClick={() => setModal({ kind: 'delete', webhook: w })} disabled={busy !== null} aria-label={`Delete ${w.name}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <VerifyHelp />

      {modal?.kind === 'new' && <WebhookForm onClose={() => setModal(null)} onSaved={(w) => open(w.id)} />}
      {modal?.kind === 'delete' && (
        <DeleteWebhookDialog webhook={modal.webhook} onClose={() => setModal(null)} onDeleted={() => { setModal(null); hooks.reload(); }} />
      )}
    </section>
  );
}
