import { useId } from 'react';
import { niceTicks } from '../charts/format.js';
import { useWidth } from '../charts/use-width.js';
import '../charts/charts.css';
import type { BandRow } from './api.js';
import { contactsWord, formatLift, formatRate } from './words.js';

const PAD = { top: 22, right: 96, bottom: 40, left: 52 };

/**
 * The conversion rate of each band as a bar, with the average across all bands as a dashed line:
 * a band above the line converts better than the average, by its lift (written over the bar).
 */
export function RateChart({ title, bands, average, height = 240 }: { title: string; bands: readonly BandRow[]; average: number; height?: number }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const id = useId();
  const pct = (r: number) => r * 100;
  const max = Math.max(1, pct(average), ...bands.map((b) => pct(b.rate)));
  const ticks = niceTicks(0, max, 4);
  const top = ticks[ticks.length - 1];
  const innerW = Math.max(40, width - PAD.left - PAD.right);
  const innerH = height - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, bands.length);
  const barW = Math.max(4, Math.min(96, slot * 0.7));
  const y = (v: number) => PAD.top + innerH - (v / top) * innerH;
  const avgY = y(pct(average));
  const summary = `Average ${formatRate(average)}. ` + bands.map((b) => `${b.band}: ${formatRate(b.rate)} of ${contactsWord(b.contacts)}, lift ${formatLift(b.lift)}`).join('; ');
  return (
    <div ref={ref} className="chart rate-chart">
      <svg width={width} height={height} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{summary}</desc>
        <g className="chart-grid" aria-hidden="true">
          {ticks.map((v) => (
            <g key={v}>
              <line x1={PAD.left} x2={PAD.left + innerW} y1={y(v)} y2={y(v)} />
              <text x={PAD.left - 6} y={y(v)} dy="0.32em" textAnchor="end">{`${v} %`}</text>
            </g>
          ))}
          <line className="axis" x1={PAD.left} x2={PAD.left + innerW} y1={y(0)} y2={y(0)} />
          <text className="axis-label" x={PAD.left + innerW / 2} y={height - 4} textAnchor="middle">Band of the score on that day</text>
          <text className="axis-label" transform={`translate(12 ${PAD.top + innerH / 2}) rotate(-90)`} textAnchor="middle">Converted</text>
        </g>
        {bands.map((b, i) => {
          const cx = PAD.left + slot * i + slot / 2;
          const tone = b.band === 'no score' || b.band === 'below every bracket' ? 'c4' : b.lift !== null && b.lift >= 1 ? 'c1' : 'c0';
          return (
            <g key={b.band} className={`chart-bar ${tone}`}>
              <rect x={cx - barW / 2} y={y(pct(b.rate))} width={barW} height={Math.max(0, y(0) - y(pct(b.rate)))} rx={2} />
              <text className="bar-value" x={cx} y={y(pct(b.rate)) - 6} textAnchor="middle">
                {formatRate(b.rate)}{b.lift !== null && b.contacts > 0 ? ` · ${formatLift(b.lift)}` : ''}
              </text>
              <text className="bar-label" x={cx} y={PAD.top + innerH + 16} textAnchor="middle">{b.band}</text>
              <rect className="hit" x={PAD.left + slot * i} y={PAD.top} width={slot} height={innerH}>
                <title>{`${b.band}: ${b.converted.toLocaleString()} of ${contactsWord(b.contacts)} converted (${formatRate(b.rate)}), ${formatLift(b.lift)} the average`}</title>
              </rect>
            </g>
          );
        })}
        <g className="avg-line" aria-hidden="true">
          <line x1={PAD.left} x2={PAD.left + innerW} y1={avgY} y2={avgY} />
          <text x={PAD.left + innerW + 6} y={avgY} dy="0.32em">{`average ${formatRate(average)}`}</text>
        </g>
      </svg>
    </div>
  );
}
