import { Dialog } from '../../lib/Dialog.js';
import { BRACKET, DEFAULT_COLUMNS, moveColumn, NAME, RANK, SCORE, toggleColumn } from './columns.js';
import type { FieldInfo } from './fields.js';

/** A column the picker offers: its key, its words, and what it shows. */
interface Choice { readonly key: string; readonly label: string; readonly hint?: string }

/**
 * "Columns": every field can be a column, and the model's score, bracket and rank. Shown columns
 * come first, in their order, with buttons to move them; the rest follow. Changes apply at once.
 */
export function ColumnPicker({ fields, columns, scoreField, scoreLabel, onColumns, onClose }: {
  fields: readonly FieldInfo[];
  columns: readonly string[];
  /** The field the score column shows (the chosen model's). */
  scoreField: string;
  /** The score column's header: the chosen model's name, or "Score". */
  scoreLabel: string;
  onColumns: (columns: string[]) => void;
  onClose: () => void;
}) {
  const choices: Choice[] = [
    { key: NAME, label: 'Name', hint: 'first and last name' },
    { key: SCORE, label: scoreLabel, hint: 'the scoring model chosen above the table' },
    { key: BRACKET, label: 'Bracket', hint: 'in that model' },
    { key: RANK, label: 'Rank', hint: 'percentage of contacts with this score or lower' },
    // Custom fields first (a map's own score is one), then the built-in ones; the score column's field is that column already.
    ...[...fields.filter((f) => !f.builtin), ...fields.filter((f) => f.builtin)]
      .filter((f) => f.key !== 'email' && f.key !== scoreField)
      .map((f) => ({ key: f.key, label: f.label, hint: f.builtin ? undefined : `custom ${f.type} field` })),
  ];
  const byKey = new Map(choices.map((c) => [c.key, c]));
  const shown = columns.filter((k) => byKey.has(k));
  const ordered = [...shown.map((k) => byKey.get(k)!), ...choices.filter((c) => !shown.includes(c.key))];
  return (
    <Dialog title="Columns" onClose={onClose}>
      <div className="dialog-body">
        <p className="muted small">Email is always the first column. Your choice is kept in this browser.</p>
        <ul className="column-choices" aria-label="Columns to show">
          {ordered.map((c) => {
            const on = shown.includes(c.key);
            const i = shown.indexOf(c.key);
            return (
              <li key={c.key} className={on ? 'on' : undefined}>
                <label>
                  <input type="checkbox" checked={on} onChange={(e) => onColumns(toggleColumn(shown, c.key, e.target.checked))} />
                  <span>{c.label}{c.hint && <span className="muted small"> · {c.hint}</span>}</span>
                </label>
                {on && (
                  <span className="move">
                    <button type="button" className="icon" aria-label={`Move ${c.label} left`} disabled={i === 0} onClick={() => onColumns(moveColumn(shown, c.key, -1))}>↑</button>
                    <button type="button" className="icon" aria-label={`Move ${c.label} right`} disabled={i === shown.length - 1} onClick={() => onColumns(moveColumn(shown, c.key, 1))}>↓</button>
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      </div>
      <footer className="dialog-foot">
        <button type="button" className="link" onClick={() => onColumns([...DEFAULT_COLUMNS])}>Reset to the default columns</button>
        <button type="button" onClick={onClose}>Done</button>
      </footer>
    </Dialog>
  );
}
