import { useId, useState, type ReactNode } from 'react';
import { href } from '../../lib/route.js';
import { formatTime } from '../charts/format.js';
import { previewCall, type IntakeMapping, type Preview, type PreviewCall } from './data-in-api.js';

const EXAMPLE = JSON.stringify({
  type: 'track',
  userId: 'u-42',
  event: 'Webinar Joined',
  properties: { webinar: { title: 'Scoring 101' } },
  context: { traits: { email: 'ann@example.com', plan: 'pro' } },
}, null, 2);

const FROM = { mapping: 'your table', standard: 'Segment\'s standard name', snake_case: 'its name in snake case' } as const;

const pairs = (values: Readonly<Record<string, string | number | boolean>>, label: (k: string) => string = (k) => k) =>
  Object.entries(values).map(([k, v]) => `${label(k)} = ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');

/** The person a call names, and whom that finds. */
function personWords(c: PreviewCall): ReactNode {
  const named = [c.who.userId && `userId ${c.who.userId}`, c.who.email && `email ${c.who.email}`, c.who.anonymousId && `anonymousId ${c.who.anonymousId}`].filter(Boolean).join(', ');
  if (c.alias) return <>merges the contact known as {c.alias.previousId} into the one known as {c.alias.userId}</>;
  return (
    <>
      {named || 'no one'}:{' '}
      {c.contact ? <>the contact <a href={href(`/contacts/${encodeURIComponent(c.contact.id)}`)}>{c.contact.id}</a> (found by {c.contact.by})</> : 'a new contact'}
    </>
  );
}

/** One call as it would be taken: what it records, what it writes, whom it is about. */
function CallResult({ call, label }: { call: PreviewCall; label: (key: string) => string }) {
  return (
    <article className="preview-call">
      <div className="preview-head">
        {call.where && <code className="where">{call.where}</code>}
        <span className="badge info">{call.method}</span>
        {call.eventName !== undefined && <code>{call.eventName}</code>}
        {call.event
          ? <>→ recorded as <b className="event-type">{call.event.type}</b></>
          : call.method === 'track' ? <>→ <b>not recorded</b></> : null}
        {call.typeFrom && <span className="muted small">({call.event ? `by ${FROM[call.typeFrom]}` : 'your table ignores it'})</span>}
      </div>
      <dl className="kv small">
        {call.event && <><dt>Props</dt><dd>{Object.keys(call.event.props).length ? pairs(call.event.props) : 'none'}</dd></>}
        {call.fields && <><dt>Fields set</dt><dd>{pairs(call.fields, label)}</dd></>}
        <dt>Person</dt><dd>{personWords(call)}</dd>
        {call.groupId !== undefined && <><dt>Group</dt><dd>{call.groupId}</dd></>}
        <dt>At</dt><dd>{formatTime(call.at)}</dd>
      </dl>
    </article>
  );
}

/**
 * "Try it": a Segment call pasted as the source sends it, answered with what Scoremap would record
 * with the table as edited (saved or not). Nothing is stored.
 */
export function TryIt({ mapping, label }: { mapping: IntakeMapping; label: (key: string) => string }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const tryIt = async () => {
    setError(null);
    setResult(null);
    let call: unknown;
    try {
      call = JSON.parse(text);
    } catch (e) {
      setError(text.trim() ? `This is not JSON: ${(e as Error).message}` : 'Paste a call first, or use the example.');
      return;
    }
    setBusy(true);
    try {
      setResult(await previewCall(call, mapping));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="section try-it" aria-labelledby={`${id}-title`}>
      <div className="section-head"><h2 id={`${id}-title`}>Try it</h2></div>
      <p className="muted small help-line">
        Paste a call as your source sends it (a track, identify, page… or a whole batch) to see what Scoremap would record with the tables above,
        unsaved changes included. Nothing is stored.
      </p>
      <div className="try-grid">
        <div>
          <label htmlFor={`${id}-call`} className="sr-only">Segment call (JSON)</label>
          <textarea id={`${id}-call`} className="code" value={text} onChange={(e) => setText(e.target.value)} spellCheck={false}
            placeholder={'{ "type": "track", "userId": "u-42", "event": "Webinar Joined" }'} />
          <div className="toolbar">
            <button type="button" className="primary" onClick={tryIt} disabled={busy}>{busy ? 'Trying…' : 'Try it'}</button>
            <button type="button" onClick={() => { setText(EXAMPLE); setResult(null); setError(null); }}>Use an example</button>
          </div>
        </div>
        <div className="try-result" aria-live="polite" aria-label="What it becomes">
          {error && <p className="notice error" role="alert">{error}</p>}
          {result && (
            result.accepted
              ? <p className="notice ok">Scoremap would take {result.calls.length === 1 ? 'this call' : `these ${result.calls.length} calls`}:</p>
              : (
                <div className="notice error" role="alert">
                  <b>/v1/{result.method} would refuse it</b> (400), and record nothing:
                  <ul className="problems">{(result.problems ?? []).map((p, i) => <li key={i}>{p.path && <code>{p.path}</code>}<span>{p.message}</span></li>)}</ul>
                </div>
              )
          )}
          {result?.accepted && result.calls.map((c, i) => <CallResult key={i} call={c} label={label} />)}
          {!result && !error && <p className="muted small">What it becomes shows here.</p>}
        </div>
      </div>
    </section>
  );
}
