import { useState } from 'react';
import { ConfirmDialog } from '../../lib/Dialog.js';
import { href, navigate } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { useServerNow } from '../../lib/use-server-now.js';
import { formatTime } from '../charts/format.js';
import { labelOf, useFields } from '../contacts/fields.js';
import { getWebhook, sendTest, updateWebhook, type Attempt, type Webhook } from './api.js';
import { SecretText } from './Copy.js';
import { DeliveryLog } from './DeliveryLog.js';
import { VerifyHelp } from './VerifyHelp.js';
import { DeleteWebhookDialog, DisabledBanner, StatusBadge } from './WebhookParts.js';
import { WebhookForm } from './WebhookForm.js';
import { attemptWords, codeTone, excerpt, newSecret } from './words.js';

type Modal = 'edit' | 'delete' | 'secret' | null;

/** `#/settings/webhooks/<id>`: one subscription, its secret, Send a test, and its delivery log. */
export function WebhookDetail({ id }: { id: string }) {
  const hook = useLoad(() => getWebhook(id), [id]);
  const fields = useFields();
  const now = useServerNow();
  const [modal, setModal] = useState<Modal>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [test, setTest] = useState<Attempt | null>(null);
  const [refresh, setRefresh] = useState(0);
  const w = hook.data;

  const act = async (what: string, run: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await run();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const changed = (next?: Webhook) => {
    if (next && w) hook.setData({ ...w, ...next, secret: next.secret ?? w.secret });
    else hook.reload();
    setRefresh((n) => n + 1);
  };
  const setStatus = (status: 'active' | 'paused') => act('status', async () => changed(await updateWebhook(id, { status })));
  const runTest = () => act('test', async () => {
    setTest(null);
    const r = await sendTest(id);
    setTest(r.attempt);
    hook.reload();
    setRefresh((n) => n + 1);
  });

  if (hook.error) {
    return (
      <section className="page-body">
        <div className="crumbs"><a href={href('/settings/webhooks')}>Webhooks</a></div>
        <p className="notice error" role="alert">This webhook could not be loaded: {hook.error} <button type="button" className="link" onClick={hook.reload}>Try again</button></p>
      </section>
    );
  }
  if (!w) return <p className="loading">Loading the webhook…</p>;

  return (
    <section className="page-body webhook-page">
      <div className="crumbs"><a href={href('/settings/webhooks')}>Webhooks</a> › {w.name}</div>
      <header className="page-head">
        <h1>{w.name}</h1>
        <span className="status-inline"><StatusBadge webhook={w} now={now} brief /></span>
        <div className="actions">
          <button type="button" onClick={() => void runTest()} disabled={busy !== null}>{busy === 'test' ? 'Sending…' : 'Send a test'}</button>
          {w.status === 'active' && <button type="button" onClick={() => void setStatus('paused')} disabled={busy !== null}>Pause</button>}
          {w.status === 'paused' && <button type="button" onClick={() => void setStatus('active')} disabled={busy !== null}>Resume</button>}
          <button type="button" onClick={() => setModal('edit')}>Edit</button>
          <button type="button" className="danger" onClick={() => setModal('delete')}>Delete</button>
        </div>
      </header>
      {w.status === 'disabled' && <DisabledBanner webhook={w} busy={busy !== null} onEnable={() => void setStatus('active')} />}
      {w.status === 'paused' && (
        <p className="notice" role="status">Paused: new events are not queued for it, and deliveries already queued wait until you resume it. Send a test still posts at once.</p>
      )}
      {error && <p className="notice error" role="alert">{error}</p>}
      {test && <TestResult attempt={test} onClose={() => setTest(null)} />}

      <div className="webhook-grid">
        <div className="card">
          <dl className="kv">
            <dt>URL</dt><dd><code className="url">{w.url}</code></dd>
            <dt>Events</dt><dd>{w.events.map((e) => <span key={e} className="tag">{e}</span>)}</dd>
            {w.fields && w.fields.length > 0 && <><dt>Fields</dt><dd>only when {w.fields.map((f) => labelOf(fields.data, f)).join(', ')} change{w.fields.length === 1 ? 's' : ''}</dd></>}
            <dt>Format</dt><dd>{w.format === 'slack' ? 'Slack message ({ "text": … })' : 'JSON, signed'}</dd>
            <dt>Created</dt><dd>{formatTime(w.createdAt)}</dd>
            <dt>Signing secret</dt>
            <dd>
              {w.secret ? <SecretText secret={w.secret} label="The signing secret" /> : <span className="muted">not shown by this server</span>}
              <button type="button" className="link small" onClick={() => setModal('secret')}>Make a new secret…</button>
            </dd>
          </dl>
        </div>
        <div className="card counts">
          <div className="stat"><b>{w.counts.pending.toLocaleString()}</b><span>pending</span></div>
          <div className="stat"><b>{w.counts.delivered.toLocaleString()}</b><span>delivered</span></div>
          <div className="stat"><b className={w.counts.failed ? 'error' : undefined}>{w.counts.failed.toLocaleString()}</b><span>failed</span></div>
        </div>
      </div>

      <DeliveryLog webhookId={id} refresh={refresh} now={now} onChanged={hook.reload} />
      <VerifyHelp withElementSecret={false} />

      {modal === 'edit' && <WebhookForm webhook={w} onClose={() => setModal(null)} onSaved={(next) => { setModal(null); changed(next); }} />}
      {modal === 'delete' && <DeleteWebhookDialog webhook={w} onClose={() => setModal(null)} onDeleted={() => navigate('/settings/webhooks')} />}
      {modal === 'secret' && (
        <ConfirmDialog
          title="Make a new signing secret?"
          message={<p>Deliveries are signed with the new secret from now on: receivers checking with the old one will refuse them until you give them the new one.</p>}
          confirm="Make a new secret"
          busy={busy === 'secret'}
          error={error}
          onClose={() => setModal(null)}
          onConfirm={() => void act('secret', async () => {
            const secret = newSecret();
            const next = await updateWebhook(id, { secret });
            setModal(null);
            hook.setData({ ...w, ...next, secret: next.secret ?? secret });
          })}
        />
      )}
    </section>
  );
}

/** What the receiver answered to the test: its status code, how long it took, the start of its answer. */
function TestResult({ attempt, onClose }: { attempt: Attempt; onClose: () => void }) {
  const ok = codeTone(attempt.statusCode) === 'ok';
  return (
    <div className={`notice test-result ${ok ? 'ok' : 'error'}`} role="status">
      <div>
        <b>{ok ? 'The test was delivered' : 'The test was not accepted'}:</b> {attemptWords(attempt)}
        {attempt.answer && <div className="small answer-excerpt">Answer: <code>{excerpt(attempt.answer, 200)}</code></div>}
        {!ok && <div className="small">A receiver must answer with a 2xx status within 10 seconds.</div>}
      </div>
      <button type="button" className="icon" aria-label="Dismiss" onClick={onClose}>×</button>
    </div>
  );
}
