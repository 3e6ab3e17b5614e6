import { useId } from 'react';
import type { WaitElement as Wait } from '../../../../engine/elements/index.js';
import { WEEKDAY_NAMES, type WeekdayName } from '../../../../engine/time.js';
import { ConditionEditor } from './ConditionEditor.js';
import { DateOffsetSettings } from './DateOffsetSettings.js';
import { DurationInput } from './DurationInput.js';
import { ProblemText, Setting, useProblemsAt } from './controls.js';
import { ElementSelect, TimezoneInput } from './inputs.js';
import { newTest } from './condition-tree.js';
import type { FormProps } from './form-props.js';
import { DAY_WORDS, MODE_WORDS, MODES, switchMode, TIME_SCHEMA, waitMode, type Until } from './wait-modes.js';

/** Wait: for a duration, until a date field, until a time of day, or until a condition (with a timeout). */
export function WaitForm({ element, elements, fields, onChange }: FormProps<Wait>) {
  const mode = waitMode(element);
  const name = useId();
  const modeProblems = useProblemsAt('until');
  const until = element.until;
  const setUntil = (u: Until) => onChange({ until: u });
  return (
    <>
      <fieldset className="insp-section" aria-describedby={modeProblems.id}>
        <legend>Wait</legend>
        {MODES.map((m) => (
          <label key={m} className="insp-choice">
            <input type="radio" name={name} value={m} checked={mode === m} onChange={() => onChange(switchMode(m, fields))} />
            {MODE_WORDS[m]}
          </label>
        ))}
        <ProblemText problems={modeProblems.problems} id={modeProblems.id} />
      </fieldset>

      {mode === 'for' && (
        <Setting label="How long" path="for" hint="Durations are exact: a day is 24 hours.">
          {(id, d) => <DurationInput id={id} label="How long" describedBy={d} value={element.for} onChange={(v) => onChange({ for: v })} />}
        </Setting>
      )}

      {until && 'field' in until && (
        <DateOffsetSettings value={until} path="until" fields={fields} onChange={setUntil}
          fieldHint="A date already past lets the contact go on at once." offsetHint="Leave empty to go on at the date itself." />
      )}

      {until && 'time' in until && <TimeOfDay until={until} onChange={setUntil} />}

      {until && 'condition' in until && (
        <>
          <fieldset className="insp-section">
            <legend>Until</legend>
            <ConditionEditor
              value={until.condition}
              onChange={(condition) => setUntil({ condition: condition ?? newTest(fields) })}
              required
              fields={fields}
              path="until.condition"
              label="Until"
              emptyText="Say what to wait for."
            />
            <p className="insp-hint">Re-checked whenever the contact's fields change, and when a date in it comes due.</p>
          </fieldset>
          <Setting label="Give up after (optional)" path="timeout" hint="Leave empty to wait as long as it takes.">
            {(id, d) => (
              <DurationInput
                id={id}
                label="Give up after"
                describedBy={d}
                optional
                value={element.timeout}
                onChange={(timeout) => onChange(timeout ? { timeout } : { timeout: undefined, timeoutNext: undefined })}
              />
            )}
          </Setting>
          {(element.timeout || element.timeoutNext) && (
            <Setting label="After the timeout, go to" path="timeoutNext">
              {(id, d) => (
                <ElementSelect
                  id={id}
                  describedBy={d}
                  value={element.timeoutNext}
                  onChange={(timeoutNext) => onChange({ timeoutNext })}
                  elements={elements}
                  fields={fields}
                  allow={(el) => el.kind !== 'trigger' && el.id !== element.id}
                  placeholder="Choose an element…"
                  emptyOption="The same as when it holds (Next)"
                />
              )}
            </Setting>
          )}
        </>
      )}
    </>
  );
}

function TimeOfDay({ until, onChange }: { until: Extract<Until, { time: string }>; onChange(u: Until): void }) {
  const days = useProblemsAt('until.weekdays');
  const chosen = new Set(until.weekdays ?? []);
  const toggle = (day: WeekdayName) => {
    const next = WEEKDAY_NAMES.filter((d) => (d === day ? !chosen.has(d) : chosen.has(d)));
    const { weekdays: _old, ...rest } = until;
    onChange(next.length ? { ...rest, weekdays: next } : rest);
  };
  return (
    <>
      <Setting label="Time of day" path="until.time">
        {(id, d) => (
          <input
            id={id}
            type="time"
            aria-describedby={d}
            value={until.time}
            onChange={(e) => TIME_SCHEMA.safeParse(e.target.value).success && onChange({ ...until, time: e.target.value })}
          />
        )}
      </Setting>
      <fieldset className="insp-section" aria-describedby={days.id}>
        <legend>On</legend>
        <div className="insp-days">
          {WEEKDAY_NAMES.map((day) => (
            <label key={day} className="insp-day">
              <input type="checkbox" checked={chosen.has(day)} onChange={() => toggle(day)} />
              {DAY_WORDS[day]}
            </label>
          ))}
        </div>
        <p className="insp-hint">{chosen.size ? 'Only on the days ticked.' : 'None ticked: any day.'}</p>
        <ProblemText problems={days.problems} id={days.id} />
      </fieldset>
      <Setting label="Time zone" path="until.timezone" hint="Empty means UTC.">
        {(id, d) => (
          <TimezoneInput
            id={id}
            describedBy={d}
            value={until.timezone}
            onChange={(timezone) => {
              const { timezone: _old, ...rest } = until;
              onChange(timezone ? { ...rest, timezone } : rest);
            }}
          />
        )}
      </Setting>
    </>
  );
}
