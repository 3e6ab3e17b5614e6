import { useEffect, useRef, useState } from 'react';
import { href } from '../../lib/route.js';
import { formatRelative, formatTime } from '../charts/format.js';
import { listDeliveries, redeliver, type Delivery, type DeliveryStatus } from './api.js';
import { DeliveryDialog } from './DeliveryDialog.js';
import { DeliveryBadge } from './WebhookParts.js';
import { codeTone, excerpt } from './words.js';

/**
 * The subscription's deliveries, newest first: filter by status, load more, open one, redeliver.
 * `refresh` changing reloads the first page (after a test, a pause, a redelivery elsewhere).
 */
export function DeliveryLog({ webhookId, refresh, now, onChanged }: { webhookId: string; refresh: number; now: number; onChanged: () => void }) {
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [rows, setRows] = useState<Delivery[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    const mine = ++seq.current;
    setLoading(true);
    listDeliveries(webhookId, { status }).then(
      (r) => {
        if (mine !== seq.current) return;
        setRows(r.deliveries);
        setNext(r.next);
        setError(null);
        setLoading(false);
      },
      (e: Error) => {
        if (mine !== seq.current) return;
        setError(e.message);
        setLoading(false);
      },
    );
  }, [webhookId, status, refresh, tick]);

  const more = async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const r = await listDeliveries(webhookId, { status, before: next });
      if (mine !== seq.current) return;
      setRows((list) => [...(list ?? []), ...r.deliveries]);
      setNext(r.next);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  };

  const again = async (d: Delivery) => {
    setBusy(d.id);
    setError(null);
    try {
      await redeliver(webhookId, d.id);
      setTick((n) => n + 1);
      onChanged();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="section delivery-log" aria-label="Deliveries">
      <div className="section-head">
        <h2>Deliveries</h2>
        <div className="actions">
          <label className="inline">Show
            <select value={status} onChange={(e) => setStatus(e.target.value as DeliveryStatus | '')}>
              <option value="">all</option>
              <option value="pending">pending</option>
              <option value="delivered">delivered</option>
              <option value="failed">failed</option>
            </select>
          </label>
          <button type="button" onClick={() => setTick((n) => n + 1)} disabled={loading}>Refresh</button>
        </div>
      </div>
      {error && <p className="notice error" role="alert">The deliveries could not be loaded: {error}</p>}
      {rows === null && loading && <p className="loading">Loading deliveries…</p>}
      {rows && !rows.length && (
        <p className="empty small-empty">
          {status ? `No ${status} deliveries.` : 'Nothing delivered yet. Events of the chosen types will appear here as they happen; Send a test to try the address now.'}
        </p>
      )}
      {rows && rows.length > 0 && (
        <div className="table-wrap">
          <table className={`data compact deliveries${loading ? ' stale' : ''}`}>
            <thead>
              <tr>
                <th scope="col">Status</th><th scope="col">Event</th><th scope="col">Contact</th><th scope="col">Queued</th>
                <th scope="col" className="num">Tries</th><th scope="col">Last answer</th><th scope="col">Next try</th>
                <th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <td><DeliveryBadge status={d.status} /></td>
                  <td><code>{d.type}</code></td>
                  <td>{d.contactId ? <a className="contact-id" href={href(`/contacts/${encodeURIComponent(d.contactId)}`)} title={`Open contact ${d.contactId}`}>{d.contactId}</a> : <span className="muted">—</span>}</td>
                  <td className="nowrap" title={formatTime(d.createdAt)}>{formatRelative(d.createdAt, now)}</td>
                  <td className="num">{d.attempts}</td>
                  <td className="last-answer">
                    {d.lastStatus !== null && <span className={`badge ${codeTone(d.lastStatus)}`}>{d.lastStatus}</span>}
                    {d.lastStatus === null && d.lastError && <span className="error small">{d.lastError}</span>}
                    {d.lastStatus === null && !d.lastError && <span className="muted">—</span>}
                    {d.lastAnswer && <span className="muted small excerpt" title={d.lastAnswer}> {excerpt(d.lastAnswer, 60)}</span>}
                  </td>
                  <td className="nowrap">{d.status === 'pending' && d.nextAt ? <span title={formatTime(d.nextAt)}>{formatRelative(d.nextAt, now)}</span> : <span className="muted">—</span>}</td>
                  <td className="actions">
                    <button type="button" onClick={() => setOpen(d.id)} aria-label={`Details of ${d.type} ${d.id}`}>Details</button>{' '}
                    {d.status !== 'pending' && (
                      <button type="button" onClick={() => void again(d)} disabled={busy !== null} aria-label={`Redeliver ${d.type} ${d.id}`}>{busy === d.id ? 'Queueing…' : 'Redeliver'}</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <div className="pager">
          <span className="muted">{rows?.length ?? 0} shown</span>
          <button type="button" onClick={() => void more()} disabled={loading}>{loading ? 'Loading…' : 'Load more'}</button>
        </div>
      )}
      {open && (
        <DeliveryDialog webhookId={webhookId} deliveryId={open} onClose={() => setOpen(null)} onRedelivered={() => { setTick((n) => n + 1); onChanged(); }} />
      )}
    </section>
  );
}
