import { href } from '../../lib/route.js';
import { useEffect, useMemo } from 'react';
import { LineChart } from '../charts/LineChart.js';
import { formatTime, formatValue } from '../charts/format.js';
import { describeCause, describeChange, type CauseNames } from '../contacts/causes.js';
import { stepPoints } from '../contacts/history.js';
import type { ModelDoc } from '../scoring/api.js';
import { contactPaths, deliveriesByContact, deliveryTarget, webhookCheckWords, type SimResult, type WebhookCheck } from './result.js';
import type { Draft } from './scenario.js';

const shown = (key: string, v: unknown) => formatValue(v, key.endsWith('_at') ? 'date' : undefined);

/** The maps of a run by simulation id (`map-1`…): name, saved id, element labels. */
export type MapDocs = ReadonlyMap<string, { name: string; id: string; elements: ReadonlyMap<string, string> }>;

/** A run's results: a chart and the final fields per contact, the path through each map, expectations, errors. */
export function SimResults({ result, docs, models, draft, labels, chartField, onChartField }: {
  result: SimResult; docs: MapDocs; models: readonly ModelDoc[]; draft: Draft; labels: ReadonlyMap<string, string>; chartField: string; onChartField: (f: string) => void;
}) {
  const label = (key: string) => labels.get(key) ?? key;
  const names: CauseNames = useMemo(() => ({
    map: (id) => docs.get(id)?.name,
    element: (map, _v, el) => docs.get(map)?.elements.get(el),
    model: (id) => models.find((m) => m.id === id)?.name,
    rule: (model, rule) => models.find((m) => m.id === model)?.rules?.find((r) => r.id === rule)?.label,
  }), [docs, models]);
  const numberFields = useMemo(() => [...new Set(result.history.filter((h) => typeof h.to === 'number').map((h) => h.field))], [result]);
  const field = numberFields.includes(chartField) ? chartField : numberFields[0] ?? chartField;
  useEffect(() => { if (field !== chartField && numberFields.length) onChartField(field); }, [field, chartField, numberFields.length, onChartField]);
  const paths = useMemo(() => contactPaths(result.history), [result]);
  const deliveries = useMemo(() => deliveriesByContact(result), [result]);
  const passed = result.expectations.filter((x) => x.pass).length;
  const webhookChecks = result.expectations.filter((x): x is WebhookCheck => x.webhooks !== undefined);
  const fieldChecks = result.expectations.filter((x) => x.webhooks === undefined);
  const domain: [number, number] = [Date.parse(draft.start), Date.parse(draft.until)];
  const contacts = Object.keys(result.final);
  /** An element's label in whichever map of the run has it. */
  const elementName = (id: string) => [...docs.values()].map((d) => d.elements.get(id)).find(Boolean) ?? id;

  return (
    <section className="section sim-results" aria-labelledby="sim-results-h">
      <div className="section-head">
        <h2 id="sim-results-h">Results</h2>
        <span className="muted">{result.history.length.toLocaleString()} field change{result.history.length === 1 ? '' : 's'} from {formatTime(draft.start)} to {formatTime(draft.until)}</span>
        <div className="actions">
          {numberFields.length > 0 && (
            <label className="inline">Chart
              <select value={field} onChange={(e) => onChartField(e.target.value)}>
                {numberFields.map((f) => <option key={f} value={f}>{label(f)}</option>)}
              </select>
            </label>
          )}
        </div>
      </div>
      {result.errors.length > 0 && (
        <div className="notice error" role="alert">
          <b>Errors during the run</b>
          <ul>{result.errors.map((e, i) => (
            <li key={i}>{e.map ? `Map ${docs.get(e.map)?.name ?? e.map}${e.element ? `, element ${docs.get(e.map)?.elements.get(e.element) ?? e.element}` : ''}: ` : ''}{e.message}{e.count && e.count > 1 ? ` (${e.count} times)` : ''}</li>
          ))}</ul>
        </div>
      )}
      {result.expectations.length > 0 && (
        <div className="card expectations">
          <h3>Expectations: {passed} of {result.expectations.length} pass</h3>
          {fieldChecks.length > 0 && (
            <table className="data compact">
              <thead><tr><th scope="col">Result</th><th scope="col">Contact</th><th scope="col">At</th><th scope="col">Field</th><th scope="col" className="num">Expected</th><th scope="col" className="num">Got</th></tr></thead>
              <tbody>
                {fieldChecks.map((x, i) => (
                  <tr key={i}>
                    <td><span className={`badge ${x.pass ? 'ok' : 'danger'}`}>{x.pass ? 'pass' : 'fail'}</span></td>
                    <td>{x.contact}</td><td>{formatTime(x.at)}</td>
                    <td>{label(x.field ?? '')}</td>
                    <td className="num">{formatValue(x.equals)}{x.tolerance ? ` ± ${x.tolerance}` : ''}</td>
                    <td className="num">{formatValue(x.actual)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {webhookChecks.length > 0 && (
            // A count of deliveries reads better as one sentence than spread over a field's columns.
            <ul className="sim-webhook-checks">
              {webhookChecks.map((x, i) => (
                <li key={i} className="sim-webhook-check">
                  <span className={`badge ${x.pass ? 'ok' : 'danger'}`}>{x.pass ? 'pass' : 'fail'}</span>{' '}
                  {webhookCheckWords(x, { start: draft.start, elementName, time: formatTime })}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {contacts.length === 0 && <p className="empty">The scenario has no contacts: add one above and run again.</p>}
      <div className="sim-contacts">
        {contacts.map((contact) => {
          const changes = result.history.filter((h) => h.contact === contact && h.field === field)
            .map((h) => ({ ...h, note: `${describeChange(h.from, h.to)} — ${describeCause(h.cause, names)}` }));
          const final = result.final[contact] ?? {};
          const mapPaths = [...paths.entries()].map(([map, byContact]) => [map, byContact.get(contact) ?? []] as const);
          const sent = deliveries.get(contact) ?? [];
          return (
            <article key={contact} className="card sim-contact" aria-label={`Contact ${contact}`}>
              <h3>{contact} {typeof final.email === 'string' && <span className="muted small">{final.email}</span>}</h3>
              {changes.length ? (
                <LineChart title={`${contact}: ${label(field)} over time`} series={[{ name: label(field), points: stepPoints(changes, domain[0]) }]} yLabel={label(field)} domain={domain} height={200} />
              ) : <p className="muted chart-empty">{label(field)} did not change for {contact}.</p>}
              <div className="sim-contact-foot">
                <div>
                  <h4>Path</h4>
                  {docs.size === 0 && <p className="muted small">No map in this run.</p>}
                  {[...docs.keys()].map((map) => {
                    const steps = mapPaths.find(([m]) => m === map)?.[1] ?? [];
                    // Webhook elements change no field: the map shows them lit up all the same.
                    const lit = [...new Set([...steps.map((x) => x.element), ...sent.filter((w) => w.map === map).map((w) => w.element)])];
                    return (
                      <div key={map} className="path">
                        <div className="path-head">
                          <span className="path-map">{docs.get(map)!.name}</span>
                          {lit.length > 0 && docs.get(map)!.id && (
                            <a className="small" href={href(`/maps/${docs.get(map)!.id}?highlight=${encodeURIComponent(lit.join(','))}&contact=${encodeURIComponent(contact)}`)}>
                              Show on the map
                            </a>
                          )}
                        </div>
                        {steps.length === 0 ? <span className="muted">changed no field</span> : (
                          <ol className="path-steps" data-map={docs.get(map)!.id}>
                            {steps.map((s, i) => (
                              <li key={i} data-element={s.element}>{docs.get(map)!.elements.get(s.element) ?? s.element}{s.times > 1 && <span className="muted"> ×{s.times}</span>}</li>
                            ))}
                          </ol>
                        )}
                      </div>
                    );
                  })}
                  {sent.length > 0 && (
                    <>
                      <h4>Webhooks it would send <span className="muted">(recorded, not sent)</span></h4>
                      <ol className="sim-webhooks small">
                        {sent.map((w, i) => (
                          <li key={i} data-element={w.element}>
                            <span className="muted">{formatTime(w.at)}</span> {docs.get(w.map)?.elements.get(w.element) ?? w.element} → {deliveryTarget(w)}
                            {w.message !== null && <q>{w.message}</q>}
                          </li>
                        ))}
                      </ol>
                    </>
                  )}
                </div>
                <div>
                  <h4>Final fields</h4>
                  <dl className="kv small">
                    {Object.entries(final).filter(([k, v]) => k !== 'email' && v !== null && v !== '' && !(Array.isArray(v) && !v.length)).map(([k, v]) => (
                      <div key={k} className="kv-row"><dt>{label(k)}</dt><dd title={shown(k, v)}>{shown(k, v)}</dd></div>
                    ))}
                  </dl>
                </div>
              </div>
            </article>
          );
        })}
      </div>
    </section>
  );
}
