import { useId, useState } from 'react';
import { Dialog } from '../../lib/Dialog.js';
import { DefaultInput, parseDefault, rawDefault } from '../fields/DefaultInput.js';
import { CUSTOM_TYPES, TYPE_NAMES, updateField, type CustomType, type FieldRow } from '../fields/fields-api.js';

/**
 * Changes a custom field: its label (maps that name it by the old label keep working), its
 * decimals (for values written from now on) and its default. Its type changes only while no map,
 * scoring model or contact uses it: the server says where it is used otherwise.
 */
export function EditFieldDialog({ field, onSaved, onClose }: { field: FieldRow; onSaved(f: FieldRow): void; onClose(): void }) {
  const [label, setLabel] = useState(field.label);
  const [type, setType] = useState<CustomType>(field.type as CustomType);
  const [decimals, setDecimals] = useState(field.decimals ?? 0);
  const [raw, setRaw] = useState(rawDefault(field.type, field.default));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const submit = async () => {
    setError(null);
    setBusy(true);
    try {
      const d = parseDefault(type, raw);
      const f = await updateField(field.key, {
        ...(label.trim() !== field.label ? { label: label.trim() } : {}),
        ...(type !== field.type ? { type } : {}),
        ...(type === 'number' ? { decimals } : {}),
        default: d === undefined ? null : d,
      });
      onSaved(f);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Edit ${field.label}`} onClose={onClose}>
      <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <div className="dialog-body field-form">
          <label htmlFor={`${ids}l`}>Label</label>
          <div>
            <input id={`${ids}l`} value={label} onChange={(e) => setLabel(e.target.value)} required maxLength={100} autoFocus />
            {label.trim() !== field.label && (
              <p className="muted small">Expressions that say [{field.label}] keep working after the rename.</p>
            )}
          </div>
          <label htmlFor={`${ids}k`}>Key</label>
          <code id={`${ids}k`}>{field.key}</code>
          <label htmlFor={`${ids}t`}>Type</label>
          <div>
            <select id={`${ids}t`} value={type} onChange={(e) => { setType(e.target.value as CustomType); setRaw(''); }}>
              {CUSTOM_TYPES.map((t) => <option key={t} value={t}>{TYPE_NAMES[t]}</option>)}
            </select>
            {type !== field.type && <p className="muted small">The type can change only while no map, scoring model or contact uses the field.</p>}
          </div>
          {type === 'number' && (
            <>
              <label htmlFor={`${ids}d`}>Decimals</label>
              <div>
                <select id={`${ids}d`} value={decimals} onChange={(e) => setDecimals(Number(e.target.value))}>
                  {[0, 1, 2, 3].map((n) => <option key={n} value={n}>{n}</option>)}
                </select>
                {decimals !== (field.decimals ?? 0) && <p className="muted small">Values written from now on are rounded to {decimals} {decimals === 1 ? 'place' : 'places'}; stored values stay as they are.</p>}
              </div>
            </>
          )}
          <label htmlFor={`${ids}v`}>Default</label>
          <DefaultInput id={`${ids}v`} type={type} raw={raw} onRaw={setRaw} />
        </div>
        {error && <p className="notice error" role="alert">{error}</p>}
        <footer className="dialog-foot">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={!label.trim() || busy}>{busy ? 'Saving…' : 'Save'}</button>
        </footer>
      </form>
    </Dialog>
  );
}
