import type { CSSProperties } from 'react';
import { Handle, Position } from '@xyflow/react';
import type { ElementKindName } from '../../../../engine/elements/index.js';
import type { ElementNodeData } from './flow-model.js';
import type { ElementStats } from '../../store/map-editor.js';
import { KIND_COLORS, KIND_TITLES, KindIcon } from './icons.js';
import { badgeNumber, badgeRowEms, countsName, countsTitle, errorsTitle, SHORT } from './count-words.js';
import './canvas.css';

/** A source handle: the outlet's path, the word under it, and where along the bottom it sits. */
export interface OutletSpec {
  readonly id: string;
  readonly label?: string;
  /** Horizontal place along the bottom edge, as a CSS length (default the middle). */
  readonly left?: string;
  /** Side of the node (default the bottom). */
  readonly side?: Position;
}

interface NodeShellProps {
  readonly kind: ElementKindName;
  readonly data: ElementNodeData;
  readonly selected: boolean;
  /** Whether something can lead into it (every kind but triggers). */
  readonly input: boolean;
  readonly outlets: readonly OutletSpec[];
  /** Draws the words in the problem colour (a webhook whose subscription is gone). */
  readonly wordsTone?: 'danger';
}

const sameWords = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
/** A number and its short word; zoomed far out, only the number shows (the words stay in the tooltip). */
const Count = ({ n, word }: { n: number; word: string }) => (
  <><span className="n">{badgeNumber(n)}</span><span className="w"> {word}</span></>
);

/**
 * The counts of the performance view: one line, "3 now · 12 total" and the errors, which never wraps
 * and never runs past the element (its letters get smaller first, `--ems` in canvas.css), so the
 * element grows by that line only and a template's rows leave room for it.
 */
function Counts({ stats }: { stats: ElementStats }) {
  const errorWord = stats.errors === 1 ? 'error' : 'errors';
  const shown = [`${badgeNumber(stats.hereNow)} ${SHORT.hereNow} · ${badgeNumber(stats.wereHere)} ${SHORT.wereHere}`];
  if (stats.errors > 0) shown.push(`${badgeNumber(stats.errors)} ${errorWord}`);
  return (
    <div className="el-stats" style={{ '--ems': badgeRowEms(shown) } as CSSProperties}>
      <span className={`badge counts${stats.hereNow ? ' here' : ''}${stats.hereNow || stats.wereHere ? '' : ' zero'}`}
        role="img" aria-label={countsName(stats)} title={countsTitle(stats)}>
        <Count n={stats.hereNow} word={SHORT.hereNow} /><span className="sep"> · </span><Count n={stats.wereHere} word={SHORT.wereHere} />
      </span>
      {stats.errors > 0 && (
        <span className="badge danger" title={errorsTitle(stats)}><Count n={stats.errors} word={errorWord} /></span>
      )}
    </div>
  );
}

/**
 * What every element looks like: its kind's colour and icon, its label in bold, its one line of words,
 * a red outline with the message on hover when it has errors, and its counts as small badges.
 */
export function NodeShell({ kind, data, selected, input, outlets, wordsTone }: NodeShellProps) {
  const { title, words, errors, warnings, stats, readOnly, highlighted } = data;
  const labelled = outlets.filter((o) => o.label);
  const className = ['el-node', `kind-${kind}`, errors && 'has-errors', !errors && warnings && 'has-warnings', selected && 'is-selected', highlighted && 'is-highlighted']
    .filter(Boolean).join(' ');
  return (
    <div className={className} style={{ '--k': KIND_COLORS[kind] } as CSSProperties} title={errors ?? warnings ?? undefined}>
      {input && <Handle type="target" position={Position.Top} id="in" className="el-handle-in" isConnectable={!readOnly} isConnectableStart={false} />}
      {/* Where go-to jumps arrive: beside the element, clear of the flow above it. */}
      {input && <Handle type="target" position={Position.Right} id="jump" className="el-handle-jump" isConnectable={false} />}
      <div className="el-head">
        <span className="el-icon"><KindIcon kind={kind} size={14} /></span>
        <span className="el-kind">{KIND_TITLES[kind]}</span>
        {errors && <span className="el-flag danger" aria-label="Has errors">!</span>}
        {!errors && warnings && <span className="el-flag warn" aria-label="Has warnings">?</span>}
      </div>
      <div className="el-title">{title}</div>
      {/* A label that already says it ("Wait 1 day") is not repeated. */}
      {!sameWords(title, words) && <div className={`el-words${wordsTone ? ` ${wordsTone}` : ''}`} title={words}>{words}</div>}
      {stats && <Counts stats={stats} />}
      {labelled.length > 0 && (
        <div className="el-outlets" aria-hidden="true">
          {labelled.map((o) => <span key={o.id} style={{ left: o.left ?? '50%' }}>{o.label}</span>)}
        </div>
      )}
      {outlets.map((o) => (
        <Handle key={o.id} type="source" id={o.id} position={o.side ?? Position.Bottom}
          className={`el-handle-out out-${o.id}`} style={o.left ? { left: o.left } : undefined} isConnectable={!readOnly}
          title={o.label ? `${o.label}: drag to connect` : 'Drag to connect what happens next'} />
      ))}
    </div>
  );
}
