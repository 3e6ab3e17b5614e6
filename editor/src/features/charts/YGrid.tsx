import { formatNumber } from './format.js';

/** The horizontal grid lines of a chart with their value labels on the left. */
export function YGrid({ ticks, y, left, width }: { ticks: readonly number[]; y: (v: number) => number; left: number; width: number }) {
  return (
    <>
      {ticks.map((v) => (
        <g key={v}>
          <line x1={left} x2={left + width} y1={y(v)} y2={y(v)} />
          <text x={left - 6} y={y(v)} dy="0.32em" textAnchor="end">{formatNumber(v)}</text>
        </g>
      ))}
    </>
  );
}
