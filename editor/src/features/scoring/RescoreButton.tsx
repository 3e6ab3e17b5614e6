import { useEffect, useRef, useState } from 'react';
import { readRescore, startRescore, type RescoreJob } from './api.js';

/**
 * Rescore: makes every contact's points match the model's rules as they are now (SPEC §9), showing how far it
 * got while the server works through the contacts in batches.
 */
export function RescoreButton({ modelId, disabled, onDone }: { modelId: string; disabled?: boolean; onDone: () => void }) {
  const [job, setJob] = useState<RescoreJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const poll = (j: RescoreJob) => {
    setJob(j);
    if (j.status === 'running' && j.id) {
      timer.current = setTimeout(() => readRescore(modelId, j.id).then(poll, (e: Error) => setError(e.message)), 400);
    } else if (j.status === 'done') onDone();
  };
  const running = job?.status === 'running';
  return (
    <span className="rescore">
      <button
        type="button" disabled={disabled || running}
        title="Make every contact's points match the rules as they are now: changed rules give or take the difference, deleted rules' points are taken back"
        onClick={() => { setError(null); startRescore(modelId).then(poll, (e: Error) => setError(e.message)); }}
      >{running ? 'Rescoring…' : 'Rescore'}</button>
      <span aria-live="polite" className="small">
        {running && (
          <>
            <progress value={job.processed} max={job.total || 1} aria-label="Rescore progress" />{' '}
            {job.processed.toLocaleString()} of {job.total.toLocaleString()}
          </>
        )}
        {job?.status === 'done' && <span className="ok-text">Rescored {job.total.toLocaleString()} contact{job.total === 1 ? '' : 's'}</span>}
        {job?.status === 'failed' && <span className="error">Rescore failed: {job.error ?? 'unknown error'}</span>}
        {error && <span className="error">{error}</span>}
      </span>
    </span>
  );
}
