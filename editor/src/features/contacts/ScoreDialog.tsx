import { useId, useState } from 'react';
import { Dialog } from '../../lib/Dialog.js';
import { formatDelta } from '../charts/format.js';
import type { ModelDoc } from '../scoring/api.js';
import { adjustScore, resetScore } from './sales-api.js';

/** The model a score action acts on by default: the one writing `score`, else the first. */
export const defaultModel = (models: readonly ModelDoc[]) => models.find((m) => (m.field ?? 'score') === 'score') ?? models[0];

/**
 * "Adjust score…" (± points with a reason, as a grant from the person) and "Reset score…" (to 0:
 * the ledger starts over), on the model chosen when there are several. The reason is required:
 * it is kept in the contact's history and the audit log.
 */
export function ScoreDialog({ mode, contactId, who, models, onDone, onClose }: {
  mode: 'adjust' | 'reset';
  contactId: string;
  /** The contact in words, for the title. */
  who: string;
  models: readonly ModelDoc[];
  /** After the change, with what was done in words. */
  onDone: (words: string) => void;
  onClose: () => void;
}) {
  const id = useId();
  const [modelId, setModelId] = useState(defaultModel(models)?.id ?? '');
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const model = models.find((m) => m.id === modelId);
  const n = Number(points);
  const pointsOk = points.trim() !== '' && Number.isFinite(n) && n !== 0;
  const scoreName = models.length > 1 && model ? model.name : 'score';

  const run = async () => {
    if (mode === 'adjust' && !pointsOk) return setError('Enter the points to add, or below 0 to take away (not 0)');
    if (!reason.trim()) return setError('Give a reason: it is kept in the contact’s history');
    setBusy(true);
    setError(null);
    const which = models.length > 1 && modelId ? { modelId } : {};
    try {
      if (mode === 'adjust') {
        await adjustScore(contactId, { points: n, reason: reason.trim(), ...which });
        onDone(`${formatDelta(n)} points to ${who}’s ${scoreName}: ${reason.trim()}`);
      } else {
        await resetScore(contactId, { reason: reason.trim(), ...which });
        onDone(`${who}’s ${scoreName} was reset to 0: ${reason.trim()}`);
      }
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog title={mode === 'adjust' ? `Adjust ${who}’s score` : `Reset ${who}’s score?`} onClose={onClose}>
      <form id={`${id}-form`} className="dialog-body action-form" onSubmit={(e) => { e.preventDefault(); void run(); }}>
        {mode === 'reset' && (
          <p>The score becomes 0 and starts over: points earned before no longer count, expire or fade. The history keeps what it was.</p>
        )}
        {models.length > 1 && (
          <label>Scoring model
            <select value={modelId} onChange={(e) => setModelId(e.target.value)}>
              {models.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
            </select>
          </label>
        )}
        {mode === 'adjust' && (
          <label>Points
            <input type="number" step="any" value={points} onChange={(e) => setPoints(e.target.value)} autoFocus placeholder="10, or −10 to take away"
              aria-invalid={points.trim() !== '' && !pointsOk ? true : undefined} />
            <span className="muted small">Added to the score as it is now; the model’s lowest and highest scores hold.</span>
          </label>
        )}
        <label>Reason
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} rows={3} autoFocus={mode === 'reset'}
            placeholder={mode === 'adjust' ? 'Called: budget confirmed for Q3' : 'Bought through a partner: starts over'} />
          <span className="muted small">Kept in the contact’s history with your name.</span>
        </label>
      </form>
      {error && <p className="notice error" role="alert">{error}</p>}
      <footer className="dialog-foot">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" form={`${id}-form`} className={mode === 'reset' ? 'danger-solid' : 'primary'} disabled={busy}>
          {busy ? 'Saving…' : mode === 'reset' ? 'Reset to 0' : pointsOk ? `${n > 0 ? 'Add' : 'Take away'} ${Math.abs(n)} point${Math.abs(n) === 1 ? '' : 's'}` : 'Adjust'}
        </button>
      </footer>
    </Dialog>
  );
}
