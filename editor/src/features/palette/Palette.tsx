import type { DragEvent } from 'react';
import type { ElementKindName } from '../../../../engine/elements/index.js';
import { KIND_MIME } from '../canvas/MapCanvas.js';
import { KIND_COLORS, KIND_TITLES, KindIcon } from '../canvas/icons.js';
import './palette.css';

/** The kinds in the order a map reads, each with what it is for. */
const ITEMS: readonly { kind: ElementKindName; hint: string }[] = [
  { kind: 'trigger', hint: 'Who enters the map' },
  { kind: 'update_field', hint: 'Set a field or tags' },
  { kind: 'wait', hint: 'Hold for a time, a date or a condition' },
  { kind: 'condition', hint: 'Split into Yes and No' },
  { kind: 'webhook', hint: 'Tell another tool: Slack, a CRM' },
  { kind: 'assign_owner', hint: 'Give the lead to the next person, in turn' },
  { kind: 'goto', hint: 'Jump elsewhere: loops' },
  { kind: 'end', hint: 'Leave the map' },
];

export interface PaletteProps {
  /** Adds an element of `kind` (on click, Enter or Space): the editor puts it below the selection. */
  onAdd(kind: ElementKindName): void;
  readonly disabled?: boolean;
}

/** The element kinds: drag one onto the canvas, or click it (or press Enter) to add it below the selection. */
export function Palette({ onAdd, disabled }: PaletteProps) {
  const onDragStart = (kind: ElementKindName) => (e: DragEvent) => {
    e.dataTransfer.setData(KIND_MIME, kind);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <section className="palette" aria-labelledby="palette-title">
      <h2 id="palette-title">Add</h2>
      <ul>
        {ITEMS.map(({ kind, hint }) => (
          <li key={kind}>
            <button type="button" className="palette-item" draggable={!disabled} disabled={disabled}
              onDragStart={onDragStart(kind)} onClick={() => onAdd(kind)} data-kind={kind}
              style={{ ['--k' as string]: KIND_COLORS[kind] }}
              title={`${KIND_TITLES[kind]}: ${hint}. Drag onto the canvas, or click to add below the selected element.`}>
              <span className="palette-icon"><KindIcon kind={kind} /></span>
              <span className="palette-text">
                <span className="palette-name">{KIND_TITLES[kind]}</span>
                <span className="palette-hint">{hint}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      <p className="palette-tip">Drag onto the canvas, or click to add below the selection.</p>
    </section>
  );
}
