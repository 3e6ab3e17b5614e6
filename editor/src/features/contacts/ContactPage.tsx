import { useEffect, useMemo, useState } from 'react';
import { api } from '../../lib/api.js';
import { href } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { useServerNow } from '../../lib/use-server-now.js';
import { formatRelative, formatTime, formatValue } from '../charts/format.js';
import { getRanks, listModels, type ModelScore } from '../scoring/api.js';
import { type FieldInfo, useFields } from './fields.js';
import { ScoreBreakdown } from './ScoreBreakdown.js';
import { ScoreChart } from './ScoreChart.js';
import { HistoryList } from './HistoryList.js';
import { MergeDialog } from './MergeDialog.js';
import { scoreLikeFields } from './columns.js';
import { bracketTone, formatRank, hasNumber, primaryScoreField, scoreIn, type ContactLike } from './scores.js';
import { contactName } from './merge-words.js';
import { LeadActions, LeadCard } from './LeadActions.js';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

/** GET /api/contacts/:id: fields, tags, the maps the contact is on, and (newer servers) scores per model. */
interface ContactView extends ContactLike {
  readonly maps: readonly { mapId: string; mapName: string; element: string; elementLabel: string | null; since: string; dueAt: string | null; stuck: boolean }[];
}

/** `#/contacts/<id>`: who the contact is, where they are, their scores, and why ("why this score"). */
export function ContactPage({ id }: { id: string }) {
  const contact = useLoad(() => api<ContactView>(`/contacts/${encodeURIComponent(id)}`), [id]);
  const fields = useFields();
  const models = useLoad(() => listModels().catch(() => null), []);
  const now = useServerNow();
  const c = contact.data;
  const [merging, setMerging] = useState(false);
  const [merged, setMerged] = useState<{ name: string; n: number } | null>(null);
  // The last sales action, in words; each one counts up, so what reads the history loads it again.
  const [acted, setActed] = useState<{ words: string; n: number } | null>(null);
  const onDone = (words: string) => { setMerged(null); setActed((a) => ({ words, n: (a?.n ?? 0) + 1 })); contact.reload(); };

  // Ranks per model when the server's answer carries no `scores`.
  const [ranks, setRanks] = useState<Record<string, ModelScore | undefined>>({});
  useEffect(() => {
    if (!c || c.scores || !models.data?.length) return;
    let live = true;
    Promise.all(models.data.map((m) => getRanks(m.doc.id, [c.id]).then((r) => [m.doc.id, r?.[c.id]] as const, () => [m.doc.id, undefined] as const)))
      .then((pairs) => live && setRanks(Object.fromEntries(pairs)));
    return () => { live = false; };
  }, [c, models.data]);

  if (contact.error) {
    return (
      <section className="page-body">
        <p><a href={href('/contacts')}>← Contacts</a></p>
        <p className="notice error" role="alert">{contact.error}</p>
      </section>
    );
  }
  if (!c) return <p className="loading">Loading the contact…</p>;
  const name = [c.fields.first_name, c.fields.last_name].filter(Boolean).join(' ');
  const title = name || (c.fields.email as string) || c.id;
  const modelScores = (models.data ?? []).map((m) => ({ model: m.doc, score: scoreIn(c, m.doc, m.doc.id, ranks[m.doc.id] ? { [c.id]: ranks[m.doc.id]! } : null) }));
  // The models' fields (the default model's first), then number fields a map keeps as a score ("Custom Lead Score").
  const modelFields = [...new Set(modelScores.map((m) => m.model.field ?? 'score'))].sort((a, b) => Number(b === 'score') - Number(a === 'score'));
  const candidates = scoreLikeFields(fields.data, modelFields);
  const defaultField = primaryScoreField(c.fields, candidates);
  // Scores no model keeps that this contact has: shown beside the models', the ones with a value first.
  const fieldScores = candidates.filter((k) => !modelFields.includes(k) && hasNumber(c.fields, k));
  const scored = modelScores.filter((m) => m.score?.score != null);
  const unscored = modelScores.filter((m) => m.score?.score == null);

  const modelRow = ({ model, score }: (typeof modelScores)[number]) => (
    <tr key={model.id}>
      <td><a href={href(`/scoring/${encodeURIComponent(model.id)}`)}>{model.name}</a> <span className="muted small">({labelIn(fields.data, model.field ?? 'score')})</span></td>
      <td className="num score">{score?.score === null || score?.score === undefined ? '—' : formatValue(Math.round(score.score))}</td>
      <td>{score?.bracket ? <span className={`badge ${bracketTone(model, score.bracket)}`}>{score.bracket}</span> : <span className="muted">—</span>}</td>
      <td className="num">{formatRank(score?.percentRank)}</td>
    </tr>
  );

  return (
    <section className="page-body contact-page">
      <nav className="crumbs" aria-label="Breadcrumb"><a href={href('/contacts')}>Contacts</a> <span aria-hidden="true">›</span> <span aria-current="page">{title}</span></nav>
      <header className="page-head">
        <h1>{title}</h1>
        <HelpLink page={DOCS.contacts} />
        {name && typeof c.fields.email === 'string' && <span className="sub">{String(c.fields.email)}</span>}
        <div className="actions tags-line">
          {c.tags.map((t) => <span key={t} className="tag">{t}</span>)}
        </div>
      </header>
      <LeadActions contact={c} who={title} fields={fields.data} models={(models.data ?? []).map((m) => m.doc)} onDone={onDone}
        merge={<button type="button" onClick={() => setMerging(true)} title="Merge a duplicate of this contact into it" aria-haspopup="dialog">Merge…</button>} />
      {merged && <p className="notice ok" role="status">Merged {merged.name} into this contact.</p>}
      {acted && !merged && <p className="notice ok" role="status">{acted.words}.</p>}
      {merging && (
        <MergeDialog master={c} fieldType={(key) => fields.data?.find((f) => f.key === key)?.type} onClose={() => setMerging(false)}
          onMerged={(_, other) => { setMerging(false); setActed(null); setMerged((m) => ({ name: contactName(other), n: (m?.n ?? 0) + 1 })); contact.reload(); }} />
      )}
      {/* A merge or a sales action remounts what reads the contact's history and scores: they changed. */}
      <div className="contact-grid" key={`${merged?.n ?? 0}-${acted?.n ?? 0}`}>
        <aside className="contact-side">
          <LeadCard contact={c} who={title} onDone={onDone} />
          <section className="card" aria-labelledby="fields-h">
            <h2 id="fields-h">Fields</h2>
            {fields.data ? <FieldList fields={fields.data} values={c.fields} /> : <p className="loading">Loading…</p>}
          </section>
          <section className="card" aria-labelledby="maps-h">
            <h2 id="maps-h">On maps</h2>
            {c.maps.length === 0 ? <p className="muted">Not on any map right now.</p> : (
              <ul className="on-maps">
                {c.maps.map((m) => (
                  <li key={m.mapId}>
                    <a href={href(`/maps/${encodeURIComponent(m.mapId)}`)}>{m.mapName}</a>
                    <div>at <b>{m.elementLabel ?? m.element}</b>{m.stuck && <> <span className="badge danger" title="Stopped by a guard: see the map's errors">stuck</span></>}</div>
                    <div className="muted small">
                      <span title={formatTime(m.since)}>since {formatRelative(m.since, now)}</span>
                      {' · '}
                      {m.dueAt ? <span title={formatTime(m.dueAt)}>moves on {formatRelative(m.dueAt, now)}</span> : 'waits for an event'}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </aside>
        <div className="contact-main">
          <section className="card" aria-labelledby="scores-h">
            <h2 id="scores-h">Scores</h2>
            {!modelScores.length && fieldScores.length < 2 && models.data !== undefined && <ScoreFallback value={c.fields[defaultField]} label={labelIn(fields.data, defaultField)} />}
            {models.data && !models.data.length && <p className="muted">No scoring model yet: <a href={href('/scoring')}>add one</a> to get brackets and ranks.</p>}
            {(modelScores.length > 0 || fieldScores.length > 1) && (
              <table className="data compact">
                <thead><tr><th scope="col">Model</th><th scope="col" className="num">Score</th><th scope="col">Bracket</th><th scope="col" className="num" title="Percentage of contacts with this score or lower">Rank</th></tr></thead>
                <tbody>
                  {scored.map(modelRow)}
                  {fieldScores.map((key) => (
                    <tr key={`field:${key}`}>
                      <td>{labelIn(fields.data, key)} <span className="muted small">(a field maps keep)</span></td>
                      <td className="num score">{formatValue(Math.round(c.fields[key] as number))}</td>
                      <td>{typeof c.fields[`${key}_bracket`] === 'string' ? String(c.fields[`${key}_bracket`]) : <span className="muted">—</span>}</td>
                      <td className="num"><span className="muted">—</span></td>
                    </tr>
                  ))}
                  {unscored.map(modelRow)}
                </tbody>
              </table>
            )}
          </section>
          <ScoreBreakdown contactId={c.id} now={now} />
          <ScoreChart contactId={c.id} fields={fields.data} defaultField={defaultField} start={Date.parse(String(c.fields.created_at ?? ''))} now={now} />
          <HistoryList contactId={c.id} fields={fields.data} now={now} />
        </div>
      </div>
    </section>
  );
}

const labelIn = (fields: readonly FieldInfo[] | undefined, key: string) => fields?.find((f) => f.key === key)?.label ?? key;

function ScoreFallback({ value, label }: { value: unknown; label: string }) {
  return <p><span className="big-score">{typeof value === 'number' ? Math.round(value) : '—'}</span> <span className="muted">{label}</span></p>;
}

/** Field values with their labels; empty ones are hidden behind a toggle. */
function FieldList({ fields, values }: { fields: readonly FieldInfo[]; values: Readonly<Record<string, unknown>> }) {
  const [all, setAll] = useState(false);
  const shown = useMemo(() => fields.filter((f) => f.key !== 'tags' && (all || (values[f.key] !== undefined && values[f.key] !== null && values[f.key] !== ''))), [fields, values, all]);
  const empty = fields.filter((f) => f.key !== 'tags').length - fields.filter((f) => f.key !== 'tags' && values[f.key] !== undefined && values[f.key] !== null && values[f.key] !== '').length;
  return (
    <>
      <dl className="kv stacked">
        {shown.map((f) => (
          <div key={f.key} className="kv-row">
            <dt>{f.label}</dt>
            <dd title={f.type === 'number' && typeof values[f.key] === 'number' ? String(values[f.key]) : undefined}>{formatValue(values[f.key], f.type)}</dd>
          </div>
        ))}
      </dl>
      {empty > 0 && <button type="button" className="link small" onClick={() => setAll(!all)}>{all ? 'Hide empty fields' : `Show ${empty} empty field${empty === 1 ? '' : 's'}`}</button>}
    </>
  );
}
