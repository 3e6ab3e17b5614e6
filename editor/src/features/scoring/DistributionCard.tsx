import { useId } from 'react';
import { BarChart, type Bar } from '../charts/BarChart.js';
import { formatNumber } from '../charts/format.js';
import { bracketTone } from '../contacts/scores.js';
import type { Distribution, ModelDoc } from './api.js';

/** Bars take their bracket's colour: the top green, the middle amber, the bottom grey, as the badges do. */
const TONE: Record<string, NonNullable<Bar['tone']>> = { ok: 'c1', warn: 'c2', draft: 'c4' };

/** How the model's scores spread: a bar per 10-point band, coloured by bracket; counts per bracket; mean and median. */
export function DistributionCard({ model, dist, error, loading }: { model: ModelDoc; dist: Distribution | undefined; error: string | null; loading: boolean }) {
  const id = useId();
  const brackets = [...(model.brackets ?? [])].sort((a, b) => b.min - a.min);
  const bracketAt = (v: number) => brackets.find((b) => v >= b.min)?.name ?? null;
  const toneOf = (bracket: string | null) => (brackets.length ? TONE[bracketTone(model, bracket)] : 'c0');
  // "High 70–100, Medium 40–69": each bracket runs up to the next one's minimum.
  const rangeOf = (i: number) => {
    const lo = brackets[i].min;
    if (i === 0) return `${formatNumber(lo)}–${formatNumber(model.max ?? 100)}`;
    const next = brackets[i - 1].min;
    return Number.isInteger(lo) && Number.isInteger(next) ? `${formatNumber(lo)}–${formatNumber(next - 1)}` : `${formatNumber(lo)} to under ${formatNumber(next)}`;
  };
  const bars: Bar[] = (dist?.bands ?? []).map((b) => {
    const bracket = bracketAt(b.from);
    const last = b === dist!.bands[dist!.bands.length - 1];
    return {
      label: `${formatNumber(b.from, 0)}–${formatNumber(last ? b.to : b.to - 1, 0)}`,
      value: b.count,
      title: `${b.count.toLocaleString()} contact${b.count === 1 ? '' : 's'} scoring ${formatNumber(b.from)} to ${last ? formatNumber(b.to) : `under ${formatNumber(b.to)}`}${bracket ? ` (${bracket})` : ''}`,
      tone: toneOf(bracket),
    };
  });
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Score distribution</h2>
      {error && <p className="notice error" role="alert">The distribution could not be loaded: {error}</p>}
      {loading && !dist && <p className="loading">Loading…</p>}
      {dist && dist.total === 0 && <p className="empty">No contacts yet: the distribution appears once contacts have scores.</p>}
      {dist && dist.total > 0 && (
        <>
          <div className="stats">
            <span className="stat"><b>{dist.total.toLocaleString()}</b><span>contacts</span></span>
            <span className="stat"><b>{dist.mean === null ? '—' : formatNumber(dist.mean, 1)}</b><span>mean</span></span>
            <span className="stat"><b>{dist.median === null ? '—' : formatNumber(dist.median, 1)}</b><span>median</span></span>
          </div>
          <BarChart title={`${model.name}: contacts per score band`} bars={bars} xLabel="Score" yLabel="Contacts" height={200} />
          {dist.brackets.length > 0 && (
            <ul className="bracket-counts" aria-label="Contacts per bracket">
              {dist.brackets.map((b) => {
                const i = brackets.findIndex((x) => x.name === b.name);
                return (
                  <li key={b.name}>
                    <span className={`swatch ${toneOf(b.name)}`} aria-hidden="true" />
                    <b>{b.name}</b>
                    {i >= 0 && <span className="muted small">{rangeOf(i)}</span>}
                    <span className="count">{b.count.toLocaleString()} contact{b.count === 1 ? '' : 's'}</span>
                    <span className="muted small">{dist.total ? `${Math.round((100 * b.count) / dist.total)} %` : ''}</span>
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
