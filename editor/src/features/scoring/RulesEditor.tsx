import { useEffect, useState } from 'react';
import { KNOWN_EVENTS } from '../../../../engine/schema/event.js';
import { nearestKnownEvent } from '../../../../engine/validate-pitfalls.js';
import type { FieldInfo } from '../contacts/fields.js';
import type { Problem } from '../maps-list/ProblemList.js';
import type { ScoringRule } from './api.js';
import { ConditionEditor } from './ConditionEditor.js';
import { problemsOfRule, uniqueId } from './model-edit.js';
import { RuleOptions } from './RuleOptions.js';
import { isOptionPath, withMode, withWhen } from './rule-words.js';

const EVENTS = Object.keys(KNOWN_EVENTS);
/** "email_link_clicked" → "email link clicked". */
export const eventWords = (e: string) => e.replace(/[_.]/g, ' ');

/**
 * The rules table: label, when (an event with an optional "only when", or a contact condition
 * that gives its points while it holds), points or the score it sets; under each rule its options
 * in words, "Decays", and "Options…" (limit, window, repeats, expiry) for event rules, with the
 * problems found in it. Rows can be moved and removed.
 */
export function RulesEditor({ rules, onChange, fields, problems = [] }: {
  rules: readonly ScoringRule[]; onChange: (r: ScoringRule[]) => void; fields: readonly FieldInfo[]; problems?: readonly Problem[];
}) {
  const [opened, setOpened] = useState<ReadonlySet<string>>(new Set());
  // An option the server or the check names is shown, not left behind a closed disclosure.
  useEffect(() => {
    const named = rules.filter((r, i) => problemsOfRule(problems, i).some((p) => isOptionPath(p.path))).map((r) => r.id);
    if (named.length) setOpened((s) => new Set([...s, ...named]));
    // Only new problems open rules: editing a rule must not reopen what its author closed.
  }, [problems]);
  const setOpen = (id: string, open: boolean) => setOpened((s) => { const n = new Set(s); if (open) n.add(id); else n.delete(id); return n; });
  const set = (i: number, rule: ScoringRule) => onChange(rules.map((r, j) => (j === i ? rule : r)));
  const move = (i: number, by: number) => {
    const next = [...rules];
    const [r] = next.splice(i, 1);
    next.splice(i + by, 0, r);
    onChange(next);
  };
  const add = () => {
    const id = uniqueId(`rule-${rules.length + 1}`, new Set(rules.map((r) => r.id)));
    onChange([...rules, { id, label: '', when: { event: 'email_opened' }, points: 1 }]);
  };
  return (
    <>
      {rules.length === 0 ? (
        <p className="empty">No rules yet: add one to give points for an action (an event) or for who the contact is (a condition).</p>
      ) : (
        <table className="data rules">
          <thead>
            <tr><th scope="col" className="c-label">Rule</th><th scope="col">When</th><th scope="col" className="num c-points">Points</th><th scope="col"><span className="sr-only">Order and remove</span></th></tr>
          </thead>
          {rules.map((r, i) => {
            const isEvent = 'event' in r.when;
            const name = r.label || `rule ${i + 1}`;
            const mine = problemsOfRule(problems, i);
            const open = opened.has(r.id);
            const sets = r.set !== undefined;
            const amount = sets ? r.set : r.points;
            return (
              <tbody key={r.id} className={`rule${mine.length ? ' has-problem' : ''}`}>
                <tr className="rule-main">
                  <td className="c-label">
                    <textarea rows={1} aria-label={`Label of rule ${i + 1}`} value={r.label} placeholder="e.g. Visited the pricing page" onChange={(e) => set(i, { ...r, label: e.target.value.replace(/\n/g, ' ') })} />
                  </td>
                  <td>
                    <div className="when">
                      <select aria-label={`Kind of rule ${name}`} value={isEvent ? 'event' : 'if'} onChange={(e) => set(i, withWhen(r, e.target.value === 'event' ? { event: 'email_opened' } : { if: { field: 'job_title', op: 'contains', value: '' } }))}>
                        <option value="event">Each time:</option>
                        <option value="if">While:</option>
                      </select>
                      {'event' in r.when && (
                        <select aria-label={`Event of rule ${name}`} value={r.when.event} onChange={(e) => set(i, { ...r, when: { ...(r.when as { event: string }), event: e.target.value } })}>
                          {!EVENTS.includes(r.when.event) && <option value={r.when.event}>{eventWords(r.when.event)}</option>}
                          {EVENTS.map((ev) => <option key={ev} value={ev}>{eventWords(ev)}</option>)}
                        </select>
                      )}
                      {'event' in r.when && nearestKnownEvent(r.when.event) && (
                        <p className="rule-warn small" role="note">
                          "{r.when.event}" is not an event Scoremap knows: did you mean {nearestKnownEvent(r.when.event)}? An event type must match exactly, or this rule never gives points.
                        </p>
                      )}
                    </div>
                    {'event' in r.when ? (
                      <ConditionEditor
                        key={`${r.id}-${r.when.event}`}
                        label={`Only when, for rule ${name}`} value={r.when.where} event={r.when.event} fields={fields}
                        onChange={(where) => set(i, { ...r, when: { event: (r.when as { event: string }).event, ...(where ? { where } : {}) } })}
                      />
                    ) : (
                      <ConditionEditor
                        key={`${r.id}-if`}
                        label={`Condition of rule ${name}`} value={r.when.if} fields={fields}
                        onChange={(c) => set(i, { ...r, when: { if: c ?? { all: [] } } })}
                      />
                    )}
                  </td>
                  <td className="num c-points">
                    {isEvent || sets ? (
                      <select className="points-mode" aria-label={`Gives or sets, rule ${name}`} value={sets ? 'set' : 'points'} onChange={(e) => set(i, withMode(r, e.target.value as 'points' | 'set'))}>
                        <option value="points">Gives</option>
                        <option value="set">Sets score to</option>
                      </select>
                    ) : <span className="points-mode muted small">Gives</span>}
                    <input aria-label={sets ? `Score set by rule ${name}` : `Points of rule ${name}`} type="number" step="any" value={Number.isFinite(amount) ? amount : ''}
                      onChange={(e) => {
                        const v = e.target.value === '' ? 0 : Number(e.target.value);
                        set(i, sets ? { ...r, set: v } : { ...r, points: v });
                      }} />
                  </td>
                  <td className="actions">
                    <button type="button" className="icon small" aria-label={`Move ${name} up`} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
                    <button type="button" className="icon small" aria-label={`Move ${name} down`} disabled={i === rules.length - 1} onClick={() => move(i, 1)}>↓</button>
                    <button type="button" className="icon small danger" aria-label={`Remove ${name}`} onClick={() => onChange(rules.filter((_, j) => j !== i))}>×</button>
                  </td>
                </tr>
                <tr className="rule-more">
                  <td colSpan={4}>
                    <RuleOptions rule={r} name={name} open={open} onOpen={(o) => setOpen(r.id, o)} onChange={(next) => set(i, next)} problems={mine} />
                  </td>
                </tr>
              </tbody>
            );
          })}
        </table>
      )}
      <button type="button" onClick={add}>+ Add a rule</button>
    </>
  );
}
