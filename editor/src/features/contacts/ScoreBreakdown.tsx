import { href } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { formatTime } from '../charts/format.js';
import '../scoring/breakdown.css';
import { countText, expiryText, getScoreBreakdown, hasFaded, pointsText, type ModelBreakdown } from '../scoring/breakdown.js';

/**
 * "Where the score comes from" (SPEC §9): for each scoring model, the sentence that sums the
 * score, then its lines — what each source gave, what is left of it now, when its points expire.
 * Nothing is shown by a server that keeps no ledger.
 */
export function ScoreBreakdown({ contactId, now }: { contactId: string; now: number }) {
  const loaded = useLoad(() => getScoreBreakdown(contactId), [contactId]);
  if (loaded.error) {
    return (
      <section className="card breakdown" aria-label="Where the score comes from">
        <h2>Where the score comes from</h2>
        <p className="notice error" role="alert">The breakdown could not be loaded: {loaded.error}</p>
      </section>
    );
  }
  if (!loaded.data) return null;
  const several = loaded.data.models.length > 1;
  return <>{loaded.data.models.map((m) => <ModelCard key={m.modelId} model={m} now={now} several={several} />)}</>;
}

function ModelCard({ model, now, several }: { model: ModelBreakdown; now: number; several: boolean }) {
  const title = several ? `Where ${model.name} comes from` : 'Where the score comes from';
  const headId = `breakdown-${model.modelId}`;
  return (
    <section className="card breakdown" aria-labelledby={headId}>
      <div className="section-head">
        <h2 id={headId}>{title}</h2>
        {!several && <a className="muted small" href={href(`/scoring/${encodeURIComponent(model.modelId)}`)}>{model.name}</a>}
      </div>
      <p className="breakdown-text" aria-label={`${model.name} in one line`}>{model.text}</p>
      {model.lines.length === 0 ? (
        <p className="muted">No points yet: nothing this model rewards has happened to this contact.</p>
      ) : (
        <table className="data compact breakdown-lines" aria-label={`${model.name}: points by source`}>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col" className="num" title="How many times it gave points">Times</th>
              <th scope="col" className="num" title="The points it gave">Given</th>
              <th scope="col" className="num" title="What is left of them now, after decay, expiry and the model's bounds">Now</th>
              <th scope="col"><span className="sr-only">Notes</span></th>
            </tr>
          </thead>
          <tbody>
            {model.lines.map((l, i) => {
              const expiry = expiryText(l.nextExpiry, now);
              const decay = l.kind === 'decay';
              return (
                <tr key={`${l.kind}-${l.ruleId ?? l.label}-${i}`} className={`line-${l.kind}`}>
                  <td>{l.label}</td>
                  <td className="num muted">{countText(l)}</td>
                  <td className="num">{decay ? <span className="muted">—</span> : pointsText(l.given)}</td>
                  <td className={`num now${l.now < 0 ? ' down' : ''}${hasFaded(l) ? ' faded' : ''}`}>{pointsText(l.now)}</td>
                  <td className="notes">
                    {!l.decays && !decay && <span className="badge info" title="Fit points: degradation never lowers them">never decays</span>}
                    {expiry && <span className="muted small" title={formatTime(l.nextExpiry)}>{expiry}</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
          {model.score !== null && (
            <tfoot>
              <tr>
                <th scope="row">Score</th>
                <td />
                <td />
                <td className="num total">{pointsText(model.score).replace(/^\+/, '')}</td>
                <td>{model.bracket && <span className="muted small">{model.bracket}</span>}</td>
              </tr>
            </tfoot>
          )}
        </table>
      )}
    </section>
  );
}
