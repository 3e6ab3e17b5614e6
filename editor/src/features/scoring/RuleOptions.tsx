import { useId, useState } from 'react';
import type { Duration } from '../../../../engine/schema/duration.js';
import type { Problem } from '../maps-list/ProblemList.js';
import { DurationInput } from '../inspector/DurationInput.js';
import type { ScoringRule } from './api.js';
import { ruleSummary, withDecays, withOption } from './rule-words.js';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

/** A number typed into an option: empty is "not set", anything unreadable is kept as NaN for the check to name. */
const readNumber = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/**
 * A number that may be left empty. The text typed is kept while it means the value held ("0." on
 * the way to "0.5"); a value from outside (an import, undo) replaces it.
 */
function OptionalNumber({ value, onChange, ...rest }: { value: number | undefined; onChange: (v: number | undefined) => void; 'aria-label': string; placeholder: string; min?: number; max?: number; step?: number | 'any' }) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  const shown = readNumber(text);
  if (shown !== value && !(Number.isNaN(shown) && Number.isNaN(value))) setText(value === undefined ? '' : String(value));
  return <input type="number" {...rest} value={text} onChange={(e) => { setText(e.target.value); onChange(readNumber(e.target.value)); }} />;
}

/**
 * The line under a rule: its options in words, "Decays" (every rule), and for event rules an
 * "Options…" disclosure with the limit, its window, the repeat multiplier and the expiry. The
 * problems found with the rule are said here, beside it.
 */
export function RuleOptions({ rule, name, open, onOpen, onChange, problems }: {
  rule: ScoringRule; name: string; open: boolean; onOpen: (open: boolean) => void;
  onChange: (r: ScoringRule) => void; problems: readonly Problem[];
}) {
  const panelId = useId();
  const onEvent = 'event' in rule.when;
  const sets = rule.set !== undefined;
  const opt = (key: 'maxTimes' | 'repeatMultiplier') => (v: number | undefined) => onChange(withOption(rule, key, v));
  const dur = (key: 'per' | 'expiresAfter') => (d: Duration | undefined) => onChange(withOption(rule, key, d));
  const windowUsed = rule.maxTimes !== undefined || rule.repeatMultiplier !== undefined;
  return (
    <div className="rule-options">
      <div className="rule-options-line">
        <span className="rule-summary" aria-label={`What rule ${name} does`}>{ruleSummary(rule)}</span>
        <label className="check decays" title="Off for fit points (job title, company size): degradation never lowers them">
          <input type="checkbox" checked={rule.decays !== false} onChange={(e) => onChange(withDecays(rule, e.target.checked))} aria-label={`Decays, rule ${name}`} />
          Decays
        </label>
        {onEvent && (
          <button type="button" className="link options-toggle" aria-expanded={open} aria-controls={panelId} onClick={() => onOpen(!open)}>
            {open ? 'Hide options' : 'Options…'}
          </button>
        )}
        {onEvent && open && <HelpLink page={DOCS.ruleOptions} />}
      </div>
      {onEvent && open && (
        <div className="rule-options-panel" id={panelId} role="group" aria-label={`Options of rule ${name}`}>
          <label>
            <span>At most <span className="muted">(times)</span></span>
            <OptionalNumber min={1} step={1} placeholder="no limit" aria-label={`At most, times, rule ${name}`} value={rule.maxTimes} onChange={opt('maxTimes')} />
            <small className="muted">Grants per contact; empty: every time.</small>
          </label>
          <div className={`option${windowUsed ? '' : ' off'}`}>
            <span className="option-label">Per <span className="muted">(window)</span></span>
            <fieldset disabled={!windowUsed && !rule.per}>
              <DurationInput label={`Per, rule ${name}`} optional value={rule.per} onChange={dur('per')} />
            </fieldset>
            <small className="muted">{windowUsed ? 'The limit and the repeats count in any such span; empty: all time.' : 'The span "At most" and "Repeats give" count in: set one of them first.'}</small>
          </div>
          {!sets && (
            <label>
              <span>Repeats give <span className="muted">(×)</span></span>
                <OptionalNumber min={0} max={10} step="any" placeholder="full points" aria-label={`Repeats give, multiplier, rule ${name}`} value={rule.repeatMultiplier} onChange={opt('repeatMultiplier')} />
              <small className="muted">The 2nd and later grants: 0.5 gives half.</small>
            </label>
          )}
          {!sets && (
            <div className="option">
              <span className="option-label">Points expire after</span>
              <DurationInput label={`Points expire after, rule ${name}`} optional value={rule.expiresAfter} onChange={dur('expiresAfter')} />
              <small className="muted">What is left of them is taken back; empty: kept.</small>
            </div>
          )}
          {sets && <p className="muted small sets-note">A rule that sets the score has no repeats and no expiry: the score is simply set.</p>}
        </div>
      )}
      {problems.length > 0 && (
        <ul className="rule-problems" aria-label={`What to fix in rule ${name}`}>
          {problems.map((p, i) => <li key={i}>{p.message}</li>)}
        </ul>
      )}
    </div>
  );
}
