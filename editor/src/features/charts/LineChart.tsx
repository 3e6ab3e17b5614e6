import { YGrid } from './YGrid.js';
import { useId } from 'react';
import { formatNumber, formatTime, niceTicks, timeTicks } from './format.js';
import { useWidth } from './use-width.js';
import './charts.css';

/** One value at one moment; `note` says why (shown on hover). */
export interface LinePoint {
  readonly t: number;
  readonly v: number;
  readonly note?: string;
}

export interface LineSeries {
  readonly name: string;
  readonly points: readonly LinePoint[];
}

export interface LineChartProps {
  /** Read by screen readers and shown on hover over the chart. */
  readonly title: string;
  /** A sentence about what the chart shows (default: a summary of the values). */
  readonly description?: string;
  readonly series: readonly LineSeries[];
  readonly yLabel: string;
  readonly xLabel?: string;
  /** Draw steps (a value holds until the next change): the default, since fields change in steps. */
  readonly step?: boolean;
  /** The time span to draw (default: the points'); the last value is held to its end. */
  readonly domain?: readonly [number, number];
  /** Height in pixels (default 220). */
  readonly height?: number;
}

const PAD = { top: 12, right: 16, bottom: 40, left: 52 };

/** A line chart of values over time, drawn as inline SVG: axes with round ticks, a step line per series, a tooltip per point. */
export function LineChart({ title, description, series, yLabel, xLabel = 'Time', step = true, domain, height = 220 }: LineChartProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const id = useId();
  const all = series.flatMap((s) => s.points);
  if (!all.length) {
    return <div ref={ref} className="chart"><div className="chart-empty muted" role="note">{title}: no values to draw yet.</div></div>;
  }
  const times = all.map((p) => p.t);
  const values = all.map((p) => p.v);
  let [t0, t1] = domain ?? [Math.min(...times), Math.max(...times)];
  if (t1 <= t0) [t0, t1] = [t0 - 3_600_000, t0 + 3_600_000];
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values, lo + 1);
  const yTicks = niceTicks(lo, hi, 4);
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const innerW = Math.max(40, width - PAD.left - PAD.right);
  const innerH = height - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * innerW;
  const y = (v: number) => PAD.top + innerH - ((v - y0) / (y1 - y0 || 1)) * innerH;
  const xTicks = timeTicks(t0, t1, Math.max(2, Math.floor(innerW / 90)));

  const pathOf = (points: readonly LinePoint[]) => {
    const sorted = [...points].sort((a, b) => a.t - b.t);
    let d = `M${x(sorted[0].t)},${y(sorted[0].v)}`;
    for (const p of sorted.slice(1)) d += step ? `H${x(p.t)}V${y(p.v)}` : `L${x(p.t)},${y(p.v)}`;
    const end = Math.max(t1, sorted[sorted.length - 1].t);
    if (step && end > sorted[sorted.length - 1].t) d += `H${x(end)}`;
    return d;
  };
  const summary = description ?? series.map((s) => {
    const vs = s.points.map((p) => p.v);
    return vs.length ? `${s.name}: ${vs.length} values from ${formatTime(s.points[0].t)} to ${formatTime(s.points[s.points.length - 1].t)}, lowest ${formatNumber(Math.min(...vs))}, highest ${formatNumber(Math.max(...vs))}, last ${formatNumber(vs[vs.length - 1])}.` : `${s.name}: no values.`;
  }).join(' ');

  return (
    <div ref={ref} className="chart">
      <svg width={width} height={height} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{summary}</desc>
        <g className="chart-grid" aria-hidden="true">
          <YGrid ticks={yTicks} y={y} left={PAD.left} width={innerW} />
          {xTicks.map((tk) => (
            <g key={tk.t}>
              <line className="tick" x1={x(tk.t)} x2={x(tk.t)} y1={PAD.top + innerH} y2={PAD.top + innerH + 4} />
              <text x={x(tk.t)} y={PAD.top + innerH + 16} textAnchor="middle">{tk.label}</text>
            </g>
          ))}
          <line className="axis" x1={PAD.left} x2={PAD.left + innerW} y1={PAD.top + innerH} y2={PAD.top + innerH} />
          <text className="axis-label" x={PAD.left + innerW / 2} y={height - 4} textAnchor="middle">{xLabel}</text>
          <text className="axis-label" transform={`translate(12 ${PAD.top + innerH / 2}) rotate(-90)`} textAnchor="middle">{yLabel}</text>
        </g>
        {series.map((s, i) => s.points.length > 0 && (
          <g key={s.name} className={`chart-series c${i % 4}`}>
            <path d={pathOf(s.points)} fill="none" />
            {s.points.map((p, j) => (
              <g key={j} className="chart-point">
                <circle cx={x(p.t)} cy={y(p.v)} r={3} />
                {/* A wider, invisible target so the tooltip is easy to reach. */}
                <circle className="hit" cx={x(p.t)} cy={y(p.v)} r={8}>
                  <title>{`${series.length > 1 ? `${s.name}, ` : ''}${formatTime(p.t)}: ${formatNumber(p.v)}${p.note ? ` — ${p.note}` : ''}`}</title>
                </circle>
              </g>
            ))}
          </g>
        ))}
      </svg>
      {series.length > 1 && (
        <ul className="chart-legend" aria-hidden="true">
          {series.map((s, i) => <li key={s.name} className={`c${i % 4}`}>{s.name}</li>)}
        </ul>
      )}
    </div>
  );
}
