import { ConfirmDialog } from '../../lib/Dialog.js';
import { formatTime } from '../charts/format.js';
import { deleteWebhook, type DeliveryStatus, type Webhook } from './api.js';
import { lastProblem, webhookStatus } from './words.js';

const DELIVERY_TONE = { pending: 'warn', delivered: 'ok', failed: 'danger' } as const;

/** A delivery's status as a badge: pending amber, delivered green, failed red. */
export function DeliveryBadge({ status }: { status: DeliveryStatus }) {
  return <span className={`badge ${DELIVERY_TONE[status]}`}>{status}</span>;
}

/** A subscription's status as a badge, with why and since when under it. */
export function StatusBadge({ webhook, now, brief }: { webhook: Webhook; now: number; brief?: boolean }) {
  const s = webhookStatus(webhook, now);
  return (
    <>
      <span className={`badge ${s.tone}`}>{s.label}</span>
      {s.detail && !(brief && webhook.status !== 'active') && <div className={`small ${s.tone === 'danger' ? 'error' : 'muted'}`}>{s.detail}</div>}
    </>
  );
}

/** What a disabled subscription says at the top of its page: what happened, and how to start again. */
export function DisabledBanner({ webhook, onEnable, busy }: { webhook: Webhook; onEnable: () => void; busy: boolean }) {
  return (
    <div className="banner danger" role="alert">
      <div>
        <b>This webhook is disabled: every delivery to it failed for 3 days</b>
        {webhook.failingSince && <> (failing since {formatTime(webhook.failingSince)})</>}.
        {webhook.statusReason && <div className="small">Last problem: {lastProblem(webhook.statusReason)}</div>}
        <div className="small">
          Nothing is sent to it until it is re-enabled. Check that the URL answers with a 2xx (Send a test shows what it answers),
          fix it with Edit if it moved, then press Re-enable. Failed deliveries can be sent again from the log with Redeliver.
        </div>
      </div>
      <button type="button" className="primary" onClick={onEnable} disabled={busy}>Re-enable</button>
    </div>
  );
}

/** Deleting drops the subscription and its delivery log: said before. */
export function DeleteWebhookDialog({ webhook, onClose, onDeleted }: { webhook: Webhook; onClose: () => void; onDeleted: () => void }) {
  const pending = webhook.counts.pending;
  return (
    <ConfirmDialog
      title={`Delete "${webhook.name}"?`}
      message={<p>Nothing more is sent to <code>{webhook.url}</code>{pending > 0 ? <>, the <b>{pending.toLocaleString()}</b> deliver{pending === 1 ? 'y' : 'ies'} still waiting are dropped</> : ''}, and its delivery log is deleted. Map elements that name it will fail validation. This cannot be undone: to stop it for a while, pause it instead.</p>}
      confirm="Delete webhook"
      onClose={onClose}
      onConfirm={async () => {
        await deleteWebhook(webhook.id);
        onDeleted();
      }}
    />
  );
}
