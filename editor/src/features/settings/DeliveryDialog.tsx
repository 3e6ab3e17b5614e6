import { useState } from 'react';
import { Dialog } from '../../lib/Dialog.js';
import { href } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { formatTime } from '../charts/format.js';
import { getDelivery, redeliver } from './api.js';
import { DeliveryBadge } from './WebhookParts.js';
import { codeTone } from './words.js';

/** One delivery: what was sent (the payload) and each attempt with the receiver's answer; Redeliver. */
export function DeliveryDialog({ webhookId, deliveryId, onClose, onRedelivered }: {
  webhookId: string; deliveryId: string; onClose: () => void; onRedelivered: () => void;
}) {
  const d = useLoad(() => getDelivery(webhookId, deliveryId), [webhookId, deliveryId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const delivery = d.data;
  return (
    <Dialog title={delivery ? `Delivery of ${delivery.type}` : 'Delivery'} onClose={onClose} wide>
      <div className="dialog-body delivery-detail">
        {d.error && <p className="notice error" role="alert">The delivery could not be loaded: {d.error}</p>}
        {d.loading && !delivery && <p className="loading">Loading the delivery…</p>}
        {delivery && (
          <>
            <dl className="kv">
              <dt>Status</dt><dd><DeliveryBadge status={delivery.status} /></dd>
              <dt>Id</dt><dd><code>{delivery.id}</code> <span className="muted small">(the <code>webhook-id</code> header: the same on every retry)</span></dd>
              <dt>Queued</dt><dd>{formatTime(delivery.createdAt)}</dd>
              {delivery.contactId && <><dt>Contact</dt><dd><a href={href(`/contacts/${encodeURIComponent(delivery.contactId)}`)}>{delivery.contactId}</a></dd></>}
              {delivery.status === 'pending' && <><dt>Next try</dt><dd>{delivery.nextAt ? formatTime(delivery.nextAt) : '—'}</dd></>}
            </dl>
            <h3>Attempts</h3>
            {delivery.attemptList.length === 0
              ? <p className="muted">Not tried yet.</p>
              : (
                <table className="data compact attempts">
                  <thead><tr><th scope="col" className="num">#</th><th scope="col">When</th><th scope="col">Answer</th><th scope="col" className="num">Time</th><th scope="col">Body of the answer</th></tr></thead>
                  <tbody>
                    {delivery.attemptList.map((a) => (
                      <tr key={a.n}>
                        <td className="num">{a.n}</td>
                        <td className="nowrap">{formatTime(a.at)}</td>
                        <td className="nowrap">{a.statusCode !== null ? <span className={`badge ${codeTone(a.statusCode)}`}>{a.statusCode}</span> : <span className="error">no answer</span>}</td>
                        <td className="num nowrap">{Math.round(a.ms).toLocaleString()} ms</td>
                        <td className="answer">{a.error ? <span className="error">{a.error}</span> : null}{a.answer ? <pre className="answer-text">{a.answer}</pre> : !a.error && <span className="muted">empty</span>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            <h3>Payload</h3>
            <pre className="code-block payload">{JSON.stringify(delivery.payload, null, 2)}</pre>
          </>
        )}
        {done && <p className="notice ok" role="status">Queued again: it is sent at the next turn of the sender.</p>}
        {error && <p className="notice error" role="alert">{error}</p>}
      </div>
      <footer className="dialog-foot">
        <button type="button" onClick={onClose}>Close</button>
        <button type="button" className="primary" disabled={!delivery || delivery.status === 'pending' || busy || done} onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await redeliver(webhookId, deliveryId);
            setDone(true);
            onRedelivered();
            d.reload();
          } catch (e) {
            setError((e as Error).message);
          } finally {
            setBusy(false);
          }
        }}>{busy ? 'Queueing…' : 'Redeliver'}</button>
      </footer>
    </Dialog>
  );
}
