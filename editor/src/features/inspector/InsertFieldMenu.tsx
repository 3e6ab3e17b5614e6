import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { FieldDef, FieldRegistry } from '../../../../engine/schema/field.js';
import { TYPE_WORDS } from '../../../../engine/conditions-check.js';
import { pickableFields } from './FieldPicker.js';
import { rowToDef } from '../fields/fields-api.js';
import { NewFieldDialog } from '../fields/NewFieldDialog.js';

/** The types an expression can read: every one but tags (conditions test those with has_tag). */
const READABLE = ['number', 'text', 'date', 'boolean'] as const;

/**
 * A small menu of fields to put into an expression: a button opens it, typing filters it, arrows move,
 * Enter picks, Escape closes and gives focus back to the button.
 */
export function InsertFieldMenu({ fields, onInsert }: { fields: FieldRegistry; onInsert(f: FieldDef): void }) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState<string | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const { custom, builtin } = pickableFields(fields, READABLE);
  const match = (f: FieldDef) => `${f.label} ${f.key}`.toLowerCase().includes(filter.trim().toLowerCase());
  const groups = [
    { name: 'Custom fields', list: custom.filter(match) },
    { name: 'Built-in fields', list: builtin.filter(match) },
  ].filter((g) => g.list.length);

  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node) && e.target !== button.current) setOpen(false);
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);

  const close = () => {
    setOpen(false);
    setFilter('');
    button.current?.focus();
  };
  const items = () => [...(box.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      e.preventDefault();
      close();
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const next = e.key === 'ArrowDown' ? Math.min(at + 1, list.length - 1) : at - 1;
    if (next < 0) box.current?.querySelector('input')?.focus();
    else list[next]?.focus();
  };

  return (
    <div className="insp-menu-wrap">
      <button
        ref={button}
        type="button"
        className="insp-small"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => (open ? close() : setOpen(true))}
      >
        Insert field
      </button>
      {open && (
        <div ref={box} className="insp-menu" onKeyDown={onKeyDown}>
          <input
            autoFocus
            type="search"
            placeholder="Find a field"
            aria-label="Find a field"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                items()[0]?.click();
              }
            }}
          />
          <div role="menu" id={menuId} aria-label="Fields">
            {groups.map((g) => (
              <div key={g.name} role="group" aria-label={g.name}>
                <div className="insp-menu-group" aria-hidden>{g.name}</div>
                {g.list.map((f) => (
                  <button
                    key={f.key}
                    type="button"
                    role="menuitem"
                    tabIndex={-1}
                    onClick={() => {
                      onInsert(f);
                      setOpen(false);
                      setFilter('');
                    }}
                  >
                    <span>{f.label}</span> <span className="muted">{TYPE_WORDS[f.type]}</span>
                  </button>
                ))}
              </div>
            ))}
            {!groups.length && <p className="insp-hint">No field matches "{filter}"</p>}
            <button type="button" role="menuitem" tabIndex={-1} onClick={() => { setOpen(false); setFilter(''); setCreating(filter.trim()); }}>
              <span>New field…</span>
            </button>
          </div>
        </div>
      )}
      {creating !== null && (
        <NewFieldDialog types={READABLE} initialLabel={creating} takenKeys={new Set(fields.all().map((f) => f.key))} onClose={() => setCreating(null)}
          onCreated={(f) => { setCreating(null); onInsert(rowToDef(f)); }} />
      )}
    </div>
  );
}
