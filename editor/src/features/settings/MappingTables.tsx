import { Fragment, type ReactNode } from 'react';
import { KNOWN_EVENTS } from '../../../../engine/schema/event.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';
import { FieldPicker } from '../inspector/FieldPicker.js';
import { newRowId, typeSuggestion, type Row, type TableName } from './data-in-rows.js';

const CUSTOM = '__custom';
const IGNORE = '__ignore';

/** What each table says, in the page's words. */
const WORDS: Record<TableName, { title: string; name: string; target: string; placeholder: string; add: string; empty: string }> = {
  events: {
    title: 'Event names', name: 'Event name as sent', target: 'Recorded as', placeholder: 'e.g. Webinar Joined', add: 'Add an event name',
    empty: 'No names of your own yet: every event is recorded by the defaults above.',
  },
  traits: {
    title: 'Traits', name: 'Trait as sent', target: 'Written to field', placeholder: 'e.g. plan or company.plan', add: 'Add a trait',
    empty: 'No traits of your own yet: traits reach fields by the defaults above.',
  },
};

/** An event's type: one of the known ones, one typed by hand (prefilled from the name), or ignored. */
function TypePicker({ row, onChange }: { row: Row; onChange: (r: Row) => void }) {
  const custom = row.custom || (row.target !== null && row.target !== '' && !(row.target in KNOWN_EVENTS));
  const value = row.target === null ? '' : custom ? CUSTOM : row.target === '' ? IGNORE : row.target;
  return (
    <div className="target">
      <select aria-label="Recorded as" value={value} onChange={(e) => {
        const v = e.target.value;
        if (v === CUSTOM) onChange({ ...row, custom: true, target: typeSuggestion(row.name) });
        else onChange({ ...row, custom: false, target: v === IGNORE ? '' : v });
      }}>
        {row.target === null && <option value="" disabled>Choose a type…</option>}
        <optgroup label="Known types">
          {Object.keys(KNOWN_EVENTS).map((t) => <option key={t} value={t}>{t}</option>)}
        </optgroup>
        <option value={CUSTOM}>Your own type…</option>
        <option value={IGNORE}>Ignore: not recorded</option>
      </select>
      {custom && (
        <input className="mono" aria-label="Event type" value={row.target ?? ''} placeholder="webinar_attended" spellCheck={false} maxLength={64}
          onChange={(e) => onChange({ ...row, custom: true, target: e.target.value })} />
      )}
    </div>
  );
}

/** A trait's field: any contact field a trait may write, or ignored. */
function FieldTarget({ row, onChange, fields, excluded }: { row: Row; onChange: (r: Row) => void; fields: FieldRegistry; excluded: readonly string[] }) {
  return (
    <div className="target">
      <FieldPicker aria-label="Written to field" fields={fields} exclude={excluded} placeholder="Choose a field…"
        value={row.target === null ? undefined : row.target === '' ? IGNORE : row.target}
        onChange={(v) => onChange({ ...row, target: v === IGNORE ? '' : v })} childValues={[IGNORE]}>
        <option value={IGNORE}>Ignore: not written</option>
      </FieldPicker>
    </div>
  );
}

/**
 * One table of names: each row a name as the source sends it and what it becomes, with Remove,
 * and the row's problem in words under it.
 */
export function MappingTable({ table, rows, onChange, problems, fields, excluded, help }: {
  table: TableName;
  rows: readonly Row[];
  onChange: (rows: Row[]) => void;
  /** A problem by row id. */
  problems: ReadonlyMap<number, string>;
  fields: FieldRegistry;
  excluded: readonly string[];
  help: ReactNode;
}) {
  const w = WORDS[table];
  const set = (row: Row) => onChange(rows.map((r) => (r.id === row.id ? row : r)));
  return (
    <section className="section mapping" aria-labelledby={`${table}-title`}>
      <div className="section-head">
        <h2 id={`${table}-title`}>{w.title}</h2>
        <div className="actions"><button type="button" onClick={() => onChange([...rows, { id: newRowId(), name: '', target: null }])}>{w.add}</button></div>
      </div>
      <p className="muted small help-line">{help}</p>
      <table className={`data mapping ${table}`}>
        <thead>
          <tr><th scope="col">{w.name}</th><th scope="col">{w.target}</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
        </thead>
        <tbody>
          {rows.length === 0 && <tr><td colSpan={3} className="muted">{w.empty}</td></tr>}
          {rows.map((row) => {
            const problem = problems.get(row.id);
            const label = row.name.trim() || 'the new row';
            return (
              <Fragment key={row.id}>
                <tr className={`mapping-row${problem ? ' has-problem' : ''}`} data-name={row.name.trim()}>
                  <td className="name">
                    <input aria-label={w.name} value={row.name} placeholder={w.placeholder} maxLength={200} spellCheck={false}
                      aria-invalid={problem ? true : undefined} autoFocus={row.name === '' && row.target === null}
                      onChange={(e) => set({ ...row, name: e.target.value })} />
                  </td>
                  <td>
                    {table === 'events'
                      ? <TypePicker row={row} onChange={set} />
                      : <FieldTarget row={row} onChange={set} fields={fields} excluded={excluded} />}
                  </td>
                  <td className="actions">
                    <button type="button" className="danger" aria-label={`Remove ${label}`} onClick={() => onChange(rows.filter((r) => r.id !== row.id))}>Remove</button>
                  </td>
                </tr>
                {problem && (
                  <tr className="row-problem"><td colSpan={3}><p className="error small" role="alert">{problem}</p></td></tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
