import { useId, useState } from 'react';
import type { Duration } from '../../../../engine/schema/duration.js';
import { DURATION_UNITS, joinDuration, readAmount, splitDuration, unitWord, type DurationUnit } from './duration-value.js';
import { describedBy } from './controls.js';

export interface DurationInputProps {
  readonly value: Duration | undefined;
  /** A new duration; `undefined` when an optional one is cleared. */
  onChange(value: Duration | undefined): void;
  /** The accessible name of the number ("Wait for", "Timeout"). */
  readonly label: string;
  /** Whether the duration may be left empty (an offset, a timeout). */
  readonly optional?: boolean;
  readonly id?: string;
  readonly describedBy?: string;
  readonly invalid?: boolean;
}

/**
 * A number and a unit → `{ days: 2 }`. Commits on each valid change (a number is one undo step per
 * edit that means something); an amount it can't read stays in the box with a note and is not kept.
 */
export function DurationInput({ value, onChange, label, optional, id, describedBy: extra, invalid }: DurationInputProps) {
  const split = value ? splitDuration(value) : undefined;
  const [text, setText] = useState(split ? String(split.amount) : '');
  const [unit, setUnit] = useState<DurationUnit>(split?.unit ?? 'days');
  const [seen, setSeen] = useState(value);
  const ownId = useId();
  const inputId = id ?? ownId;
  const noteId = useId();
  if (seen !== value) {
    setSeen(value);
    // A value from outside (undo, another element) replaces what is shown, unless it is what we sent.
    const current = readAmount(text);
    const same = value && split && typeof current === 'number' && current === split.amount && unit === split.unit;
    if (!same) {
      setText(split ? String(split.amount) : '');
      if (split) setUnit(split.unit);
    }
  }
  const amount = readAmount(text);
  const problem = amount === undefined ? 'Write a number of 0 or more' : amount === null && !optional ? 'Say how long' : null;
  const send = (t: string, u: DurationUnit) => {
    const a = readAmount(t);
    if (a === undefined) return;
    if (a === null) {
      if (optional && value !== undefined) onChange(undefined);
      return;
    }
    // Choosing the unit it already has, or retyping the same number, is no change (and no undo step).
    if (split && value && Object.keys(value).length === 1 && split.amount === a && split.unit === u) return;
    onChange(joinDuration(a, u));
  };
  return (
    <div className="insp-duration">
      <input
        id={inputId}
        type="number"
        inputMode="decimal"
        min={0}
        step="any"
        value={text}
        aria-label={label}
        aria-invalid={invalid || !!problem || undefined}
        aria-describedby={describedBy(extra, !!problem && noteId)}
        placeholder={optional ? 'none' : undefined}
        onChange={(e) => {
          setText(e.target.value);
          send(e.target.value, unit);
        }}
      />
      <select
        value={unit}
        aria-label={`${label}: unit`}
        onChange={(e) => {
          const u = e.target.value as DurationUnit;
          setUnit(u);
          send(text, u);
        }}
      >
        {DURATION_UNITS.map((u) => <option key={u} value={u}>{unitWord(u, amount ?? 0)}</option>)}
      </select>
      {problem && <p className="insp-problems error" id={noteId}>{problem}</p>}
    </div>
  );
}
