import type { Degradation } from '../../../../engine/scoring/model.js';
import { href } from '../../lib/route.js';
import { daysOf, DEGRADATION_KINDS, degradationExplained, degradationKind, degradationWords, switchDegradation, type DegradationKind } from './degradation-words.js';

/** What a number box holds: a number, or NaN while it is empty (the check then says what to write). */
const num = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));
const shown = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n : '');

/**
 * The model's degradation, chosen among four (SPEC §9): none, a percentage every day, every N
 * days, or every N days once a contact has had no activity for M days; then said in words.
 */
export function DegradationEditor({ value, onChange, timezone, keepsFitPoints }: {
  value: Degradation | undefined; onChange: (d: Degradation | undefined) => void; timezone: string | undefined; keepsFitPoints: boolean;
}) {
  const kind = degradationKind(value);
  const periodic = value && 'every' in value ? value : null;
  return (
    <div className="degradation">
      <label>Degradation
        <select aria-label="Degradation" value={kind} onChange={(e) => onChange(switchDegradation(value, e.target.value as DegradationKind))}>
          {DEGRADATION_KINDS.map((k) => <option key={k.kind} value={k.kind}>{k.label}</option>)}
        </select>
      </label>
      {value && 'percentPerDay' in value && (
        <div className="degradation-line">
          <input type="number" step="any" min={0} max={100} aria-label="Degradation, % a day" value={shown(value.percentPerDay)} onChange={(e) => onChange({ percentPerDay: num(e.target.value) })} />
          <span>% every day</span>
        </div>
      )}
      {periodic && (
        <>
          <div className="degradation-line">
            <input type="number" step="any" min={0} max={100} aria-label="Degradation, percent" value={shown(periodic.percent)} onChange={(e) => onChange({ ...periodic, percent: num(e.target.value) })} />
            <span>% every</span>
            <input type="number" step={1} min={1} aria-label="Degradation, every how many days" value={shown(daysOf(periodic.every))} onChange={(e) => onChange({ ...periodic, every: { days: num(e.target.value) } })} />
            <span>{daysOf(periodic.every) === 1 ? 'day' : 'days'}</span>
          </div>
          {periodic.whenInactiveFor && (
            <div className="degradation-line">
              <span>after</span>
              <input type="number" step={1} min={1} aria-label="Degradation, after how many days without activity" value={shown(daysOf(periodic.whenInactiveFor))}
                onChange={(e) => onChange({ ...periodic, whenInactiveFor: { days: num(e.target.value) } })} />
              <span>{daysOf(periodic.whenInactiveFor) === 1 ? 'day' : 'days'} without activity</span>
            </div>
          )}
        </>
      )}
      {value && <p className="degradation-words" aria-label="Degradation in words"><b>{capitalized(degradationWords(value))}.</b></p>}
      <p className="muted small">
        {degradationExplained(value, timezone, keepsFitPoints)}
        {kind === 'inactive' && <> <a href={href('/settings/activity')}>Settings → Activity</a> says which events do not count.</>}
      </p>
    </div>
  );
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
