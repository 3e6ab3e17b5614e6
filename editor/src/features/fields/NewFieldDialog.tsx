import { useId, useState } from 'react';
import type { FieldType } from '../../../../engine/schema/field.js';
import { Dialog } from '../../lib/Dialog.js';
import { DefaultInput, parseDefault } from './DefaultInput.js';
import { CUSTOM_TYPES, TYPE_NAMES, createField, keyFromLabel, type CustomType, type FieldRow } from './fields-api.js';
import './fields.css';

export interface NewFieldDialogProps {
  /** Offer only these types (a date picker creates a date field); default: every custom type. */
  readonly types?: readonly FieldType[];
  /** Keys in use, so the suggested key is free. */
  readonly takenKeys?: ReadonlySet<string>;
  /** The label to start with (what was typed in a search that found nothing). */
  readonly initialLabel?: string;
  onCreated(field: FieldRow): void;
  onClose(): void;
}

/**
 * Creates a custom contact field (POST /api/fields): a label, a type, and for numbers the decimals
 * kept; an optional default. The key is made from the label and can be changed before creating.
 */
export function NewFieldDialog({ types, takenKeys, initialLabel, onCreated, onClose }: NewFieldDialogProps) {
  const offered = CUSTOM_TYPES.filter((t) => !types || types.includes(t));
  const [label, setLabel] = useState(initialLabel ?? '');
  const [type, setType] = useState<CustomType>(offered[0] ?? 'number');
  const [keyEdited, setKeyEdited] = useState<string | null>(null);
  const [decimals, setDecimals] = useState(0);
  const [raw, setRaw] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const key = keyEdited ?? (label.trim() ? keyFromLabel(label, takenKeys ?? new Set()) : '');
  const submit = async () => {
    setError(null);
    setBusy(true);
    try {
      const field = await createField({
        key, label: label.trim(), type,
        ...(type === 'number' ? { decimals } : {}),
        ...(() => { const d = parseDefault(type, raw); return d === undefined ? {} : { default: d }; })(),
      });
      onCreated(field);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <Dialog title="New field" onClose={onClose}>
      <form className="new-field-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <div className="dialog-body field-form">
          <label htmlFor={`${ids}l`}>Label</label>
          <input id={`${ids}l`} value={label} onChange={(e) => setLabel(e.target.value)} placeholder="e.g. Custom Lead Score" autoFocus required maxLength={100} />
          <label htmlFor={`${ids}t`}>Type</label>
          <select id={`${ids}t`} value={type} onChange={(e) => { setType(e.target.value as CustomType); setRaw(''); }} disabled={offered.length === 1}>
            {offered.map((t) => <option key={t} value={t}>{TYPE_NAMES[t]}</option>)}
          </select>
          {type === 'number' && (
            <>
              <label htmlFor={`${ids}d`}>Decimals</label>
              <select id={`${ids}d`} value={decimals} onChange={(e) => setDecimals(Number(e.target.value))}>
                <option value={0}>0 — whole numbers</option>
                <option value={1}>1 — 0.1</option>
                <option value={2}>2 — 0.01</option>
                <option value={3}>3 — 0.001 (scores that decay by a percentage)</option>
              </select>
            </>
          )}
          <label htmlFor={`${ids}v`}>Default</label>
          <DefaultInput id={`${ids}v`} type={type} raw={raw} onRaw={setRaw} />
          <label htmlFor={`${ids}k`}>Key</label>
          <div>
            <input id={`${ids}k`} value={key} onChange={(e) => setKeyEdited(e.target.value)} pattern="[a-z][a-z0-9_]{0,63}" required
              aria-describedby={`${ids}kh`} spellCheck={false} />
            <p id={`${ids}kh`} className="muted small">How the API and map files name it; it cannot change later. Lower-case letters, digits and _.</p>
          </div>
        </div>
        {error && <p className="notice error" role="alert">{error}</p>}
        <footer className="dialog-foot">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={!label.trim() || !key || busy}>{busy ? 'Creating…' : 'Create field'}</button>
        </footer>
      </form>
    </Dialog>
  );
}
