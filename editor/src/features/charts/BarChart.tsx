import { YGrid } from './YGrid.js';
import { useId } from 'react';
import { formatNumber, niceTicks } from './format.js';
import { useWidth } from './use-width.js';
import './charts.css';

/** One bar: its label under the axis, its value, and an optional tooltip and colour class (`c0`…`c4`; `c4` is neutral). */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly title?: string;
  readonly tone?: 'c0' | 'c1' | 'c2' | 'c3' | 'c4';
}

export interface BarChartProps {
  readonly title: string;
  readonly description?: string;
  readonly bars: readonly Bar[];
  readonly xLabel: string;
  readonly yLabel: string;
  /** Height in pixels (default 220). */
  readonly height?: number;
}

const PAD = { top: 16, right: 12, bottom: 40, left: 48 };

/** A bar chart (a histogram, say) as inline SVG, with its values on the bars and a tooltip each. */
export function BarChart({ title, description, bars, xLabel, yLabel, height = 220 }: BarChartProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const id = useId();
  const max = Math.max(1, ...bars.map((b) => b.value));
  // Counts are whole: their axis never shows 0.5 of a contact.
  const ticks = niceTicks(0, max, 4, bars.every((b) => Number.isInteger(b.value)));
  const top = ticks[ticks.length - 1];
  const innerW = Math.max(40, width - PAD.left - PAD.right);
  const innerH = height - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, bars.length);
  const barW = Math.max(2, slot * 0.78);
  const y = (v: number) => PAD.top + innerH - (v / top) * innerH;
  const summary = description ?? bars.map((b) => `${b.label}: ${formatNumber(b.value)}`).join('; ');
  return (
    <div ref={ref} className="chart">
      <svg width={width} height={height} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{summary}</desc>
        <g className="chart-grid" aria-hidden="true">
          <YGrid ticks={ticks} y={y} left={PAD.left} width={innerW} />
          <line className="axis" x1={PAD.left} x2={PAD.left + innerW} y1={y(0)} y2={y(0)} />
          <text className="axis-label" x={PAD.left + innerW / 2} y={height - 4} textAnchor="middle">{xLabel}</text>
          <text className="axis-label" transform={`translate(12 ${PAD.top + innerH / 2}) rotate(-90)`} textAnchor="middle">{yLabel}</text>
        </g>
        {bars.map((b, i) => {
          const cx = PAD.left + slot * i + slot / 2;
          return (
            <g key={`${b.label}-${i}`} className={`chart-bar ${b.tone ?? 'c0'}`}>
              <rect x={cx - barW / 2} y={y(b.value)} width={barW} height={Math.max(0, y(0) - y(b.value))} rx={2} />
              {b.value > 0 && <text className="bar-value" x={cx} y={y(b.value) - 4} textAnchor="middle">{formatNumber(b.value)}</text>}
              <text className="bar-label" x={cx} y={PAD.top + innerH + 16} textAnchor="middle">{b.label}</text>
              {/* The whole column is the hover target, so an empty bar has a tooltip too. */}
              <rect className="hit" x={PAD.left + slot * i} y={PAD.top} width={slot} height={innerH}>
                <title>{b.title ?? `${b.label}: ${formatNumber(b.value)}`}</title>
              </rect>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
