import { useId, useState } from 'react';
import { nextTick, type TriggerType } from '../../../../engine/elements/trigger.js';
import type { TriggerElement as Trigger } from '../../../../engine/elements/index.js';
import { EventType, KNOWN_EVENTS } from '../../../../engine/schema/event.js';
import type { Condition } from '../../../../engine/schema/condition.js';
import { ConditionEditor } from './ConditionEditor.js';
import { DateOffsetSettings } from './DateOffsetSettings.js';
import { FieldPicker } from './FieldPicker.js';
import { DraftInput, ProblemText, Setting, useProblemsAt } from './controls.js';
import { TimezoneInput } from './inputs.js';
import type { FormProps } from './form-props.js';
import { defaultOn, eventWords, IF_ON_MAP, IF_ON_MAP_WORDS, settingSchema, shapeOf, takesWhere, TRIGGER_TYPES, TRIGGER_WORDS, type On } from './trigger-settings.js';

/** Trigger: what opens the door, its settings, who may enter (`where`) and what a second entry does. */
export function TriggerForm({ element, fields, onChange }: FormProps<Trigger>) {
  const on = element.on;
  const [pending, setPending] = useState<TriggerType | null>(null);
  const type = pending ?? on.type;
  const typeId = useId();
  const typeProblems = [...useProblemsAt('on').problems, ...useProblemsAt('on.type').problems];
  const typeProblemsId = useId();
  const setOn = (next: On) => {
    setPending(null);
    onChange({ on: next });
  };
  const setWhere = (where: Condition | undefined) => {
    if (!('where' in shapeOf(on.type))) return;
    const { where: _old, ...rest } = on as On & { where?: Condition };
    setOn((where ? { ...rest, where } : rest) as On);
  };

  return (
    <>
      <div className="insp-field">
        <label htmlFor={typeId}>Starts when</label>
        <select
          id={typeId}
          value={type}
          aria-describedby={typeProblems.length ? typeProblemsId : undefined}
          onChange={(e) => {
            const t = e.target.value as TriggerType;
            if (t === on.type) return setPending(null);
            const next = defaultOn(t, fields, on);
            if (next) setOn(next);
            else setPending(t);
          }}
        >
          {TRIGGER_TYPES.map((t) => <option key={t} value={t}>{TRIGGER_WORDS[t]}</option>)}
        </select>
        <ProblemText problems={typeProblems} id={typeProblemsId} />
      </div>

      {type === 'event' && on.type === 'event' && <EventPicker event={on.event} onChange={(event) => setOn({ ...on, event })} />}
      {type === 'field_updated' && on.type === 'field_updated' && (
        <Setting label="Field" path="on.field" hint="Fires whenever its value changes, whatever changed it.">
          {(id, d) => <FieldPicker id={id} aria-describedby={d} value={on.field} fields={fields} onChange={(field) => setOn({ ...on, field })} />}
        </Setting>
      )}
      {(type === 'tag_added' || type === 'tag_removed') && (
        <Setting label="Tag" path="on.tag" hint={pending ? 'Type the tag and press Enter to switch to this trigger.' : 'Tags match ignoring case.'}>
          {(id, d) => (
            <DraftInput
              id={id}
              aria-describedby={d}
              autoFocus={!!pending}
              value={'tag' in on ? on.tag : ''}
              placeholder="customer"
              check={(t) => (settingSchema(type, 'tag')?.safeParse(t).success ? null : 'A tag is 1 to 100 characters')}
              onCommit={(t) => setOn({ type: type as 'tag_added' | 'tag_removed', tag: t.trim() })}
            />
          )}
        </Setting>
      )}
      {type === 'date_reached' && on.type === 'date_reached' && (
        <DateOffsetSettings value={on} path="on" fields={fields} onChange={(next) => setOn(next)}
          offsetHint="Leave empty to fire on the date itself. Fires once per value of the field." />
      )}
      {type === 'schedule' && on.type === 'schedule' && <ScheduleSettings on={on} onChange={setOn} />}
      {type === 'contact_created' && <p className="insp-hint">Fires once for each new contact, from the API, an import or an event from a new email.</p>}
      {type === 'manual' && <p className="insp-hint">Contacts enter when they are added by hand or through the API (“add these contacts to the map”).</p>}

      {!pending && takesWhere(on.type) && (
        <fieldset className="insp-section">
          <legend>Only when</legend>
          <ConditionEditor
            value={'where' in on ? on.where : undefined}
            onChange={setWhere}
            fields={fields}
            allowProps={on.type === 'event'}
            allowCrossing={on.type === 'field_updated'}
            props={on.type === 'event' ? KNOWN_EVENTS[on.event] : undefined}
            path="on.where"
            label="Only when"
            emptyText={on.type === 'schedule' ? 'No condition: every contact enters at each tick.' : 'No condition: it fires for every contact.'}
          />
        </fieldset>
      )}

      <IfOnMap value={element.ifOnMap} onChange={(ifOnMap) => onChange({ ifOnMap })} />
    </>
  );
}

const CUSTOM = '';

/** The known events by name with their props, or any custom event name the schema accepts. */
function EventPicker({ event, onChange }: { event: string; onChange(event: string): void }) {
  const known = event in KNOWN_EVENTS;
  const [custom, setCustom] = useState(!known);
  const [seen, setSeen] = useState(event);
  if (seen !== event) {
    // Another event from outside (undo): show it as it is.
    setSeen(event);
    setCustom(!known);
  }
  const isCustom = custom || !known;
  const props = KNOWN_EVENTS[event];
  const customId = useId();
  return (
    <Setting
      label="Event"
      path="on.event"
      hint={!isCustom && props ? (Object.keys(props).length ? `Carries ${Object.entries(props).map(([p, t]) => `${p} (${t})`).join(', ')}.` : 'Carries no props.') : undefined}
    >
      {(id, d) => (
        <>
          <select
            id={id}
            aria-describedby={d}
            value={isCustom ? CUSTOM : event}
            onChange={(e) => {
              if (e.target.value === CUSTOM) return setCustom(true);
              setCustom(false);
              onChange(e.target.value);
            }}
          >
            {Object.keys(KNOWN_EVENTS).map((name) => <option key={name} value={name}>{eventWords(name)}</option>)}
            <option value={CUSTOM}>Custom event…</option>
          </select>
          {isCustom && (
            <div className="insp-field">
              <label htmlFor={customId} className="insp-sub">Custom event name</label>
              <DraftInput
                id={customId}
                className="insp-mono"
                value={known ? '' : event}
                autoFocus={custom && known}
                placeholder="webinar_attended"
                spellCheck={false}
                check={(t) => {
                  const r = EventType.safeParse(t.trim());
                  return r.success ? null : `Not an event name: ${r.error.issues[0]?.message ?? 'check it'}`;
                }}
                onCommit={(t) => onChange(t.trim())}
              />
              {known && <p className="insp-hint">Type the event's name and press Enter to use it.</p>}
            </div>
          )}
        </>
      )}
    </Setting>
  );
}

/** Cron text, checked with the scheduler's own parser, and its time zone. */
function ScheduleSettings({ on, onChange }: { on: Extract<On, { type: 'schedule' }>; onChange(on: On): void }) {
  const preview = (() => {
    try {
      const next = nextTick(on, Date.now());
      return next === null ? 'It never ticks again.' : `Next tick: ${new Date(next).toLocaleString(undefined, { timeZone: on.timezone ?? 'UTC', dateStyle: 'medium', timeStyle: 'short' })} (${on.timezone ?? 'UTC'}).`;
    } catch {
      return undefined;
    }
  })();
  return (
    <>
      <Setting label="Schedule (cron)" path="on.cron" hint={`minute hour day month weekday — “0 9 * * 1” is Mondays at 09:00. ${preview ?? ''}`}>
        {(id, d) => (
          <DraftInput
            id={id}
            aria-describedby={d}
            className="insp-mono"
            spellCheck={false}
            value={on.cron}
            check={(t) => {
              if (!settingSchema('schedule', 'cron')?.safeParse(t.trim()).success) return 'Write a cron expression of up to 100 characters';
              try {
                nextTick({ cron: t.trim(), timezone: on.timezone }, Date.now());
                return null;
              } catch (e) {
                return `Not a valid schedule: ${e instanceof Error ? e.message : String(e)}`;
              }
            }}
            onCommit={(t) => onChange({ ...on, cron: t.trim() })}
          />
        )}
      </Setting>
      <Setting label="Time zone" path="on.timezone" hint="Empty means UTC.">
        {(id, d) => (
          <TimezoneInput
            id={id}
            describedBy={d}
            value={on.timezone}
            onChange={(timezone) => {
              const { timezone: _old, ...rest } = on;
              onChange(timezone ? { ...rest, timezone } : rest);
            }}
          />
        )}
      </Setting>
    </>
  );
}

function IfOnMap({ value, onChange }: { value: Trigger['ifOnMap']; onChange(v: Trigger['ifOnMap']): void }) {
  const name = useId();
  const { problems, id } = useProblemsAt('ifOnMap');
  return (
    <fieldset className="insp-section" aria-describedby={id}>
      <legend>If the contact is already on the map</legend>
      {IF_ON_MAP.map((v) => (
        <label key={v} className="insp-choice">
          <input type="radio" name={name} value={v} checked={(value ?? 'ignore') === v} onChange={() => onChange(v)} />
          {IF_ON_MAP_WORDS[v]}
        </label>
      ))}
      <ProblemText problems={problems} id={id} />
    </fieldset>
  );
}
