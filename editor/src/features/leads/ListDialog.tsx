import { useId, useState } from 'react';
import type { FieldTest } from '../../../../engine/schema/condition.js';
import { Dialog } from '../../lib/Dialog.js';
import { useMe } from '../../lib/me.js';
import type { FieldInfo } from '../contacts/fields.js';
import { combine } from '../contacts/filter.js';
import { FilterBar } from '../contacts/FilterBar.js';
import type { ModelDoc } from '../scoring/api.js';
import { createList, updateList, type ListFilters, type SavedList } from './api.js';
import { barOf } from './filter-words.js';

type OwnerChoice = 'anyone' | 'me' | 'nobody' | 'person';

/**
 * A saved list made or changed: its name, who sees it, and its filters — the contacts page's field
 * filters, the owner, a bracket, and "score fell (or rose) in the last N days". The count is the
 * server's, live, once the list is saved.
 */
export function ListDialog({ list, preset, fields, models, onSaved, onClose }: {
  /** The list to change; none makes a new one. */
  list?: SavedList;
  /** A new list's field filters (the contacts page's, when made from there). */
  preset?: FieldTest[];
  fields: readonly FieldInfo[];
  models: readonly ModelDoc[];
  onSaved: (list: SavedList) => void;
  onClose: () => void;
}) {
  const id = useId();
  const me = useMe();
  const person = me?.kind === 'person' || !me;
  const f = list?.filters ?? {};
  const bar = barOf(f.condition);
  const [name, setName] = useState(list?.name ?? '');
  const [shared, setShared] = useState(list ? list.shared : !person);
  const [tests, setTests] = useState<FieldTest[]>(list ? bar?.tests ?? [] : preset ?? []);
  const [search, setSearch] = useState('');
  const [owner, setOwner] = useState<OwnerChoice>(f.owner === undefined ? 'anyone' : f.owner === 'me' ? 'me' : f.owner === null ? 'nobody' : 'person');
  const [ownerEmail, setOwnerEmail] = useState(typeof f.owner === 'string' && f.owner !== 'me' ? f.owner : '');
  const firstModel = models.find((m) => (m.field ?? 'score') === 'score') ?? models[0];
  const [bracketModel, setBracketModel] = useState(f.bracket?.modelId ?? firstModel?.id ?? '');
  const [bracket, setBracket] = useState(f.bracket?.bracket ?? '');
  const [change, setChange] = useState<'' | 'fell' | 'rose'>(f.scoreChange?.direction ?? '');
  const [days, setDays] = useState(String(f.scoreChange?.days ?? 30));
  const [changeModel, setChangeModel] = useState(f.scoreChange?.modelId ?? firstModel?.id ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const brackets = [...(models.find((m) => m.id === bracketModel)?.brackets ?? [])].sort((a, b) => b.min - a.min);

  const filters = (): ListFilters | string => {
    const out: { -readonly [K in keyof ListFilters]: ListFilters[K] } = {};
    // A condition the filter bar cannot show is kept as it was.
    const condition = bar ? combine(tests, search) : f.condition;
    if (condition) out.condition = condition;
    if (owner === 'me') out.owner = 'me';
    else if (owner === 'nobody') out.owner = null;
    else if (owner === 'person') {
      const email = ownerEmail.trim().toLowerCase();
      if (!email.includes('@')) return 'Enter the email of the person who owns the leads';
      out.owner = email;
    }
    if (bracket && bracketModel) out.bracket = { modelId: bracketModel, bracket };
    if (change) {
      const n = Number(days);
      if (!Number.isInteger(n) || n < 1 || n > 365) return 'The number of days is a whole number from 1 to 365';
      out.scoreChange = { direction: change, days: n, ...(changeModel && models.length > 1 ? { modelId: changeModel } : {}) };
    }
    return out;
  };

  const save = async () => {
    const chosen = filters();
    if (typeof chosen === 'string') return setError(chosen);
    if (!name.trim()) return setError('Give the list a name');
    setBusy(true);
    setError(null);
    try {
      const body = { name: name.trim(), shared, filters: chosen };
      onSaved(list ? await updateList(list.id, body) : await createList(body));
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog title={list ? `Change the list ${list.name}` : 'New list'} onClose={onClose} wide>
      {/* Not a form: the filter bar holds one of its own (Add filter). */}
      <div className="dialog-body list-dialog">
        <label>List name
          <input value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') void save(); }} autoFocus maxLength={100} placeholder="Score fell in 30 days" />
        </label>
        <fieldset className="choices">
          <legend>Who sees it</legend>
          <label className="choice"><input type="radio" name={`${id}-shared`} checked={!shared} disabled={!person} onChange={() => setShared(false)} /> Only me</label>
          <label className="choice"><input type="radio" name={`${id}-shared`} checked={shared} onChange={() => setShared(true)} /> Everyone (shared)</label>
        </fieldset>
        <div className="list-filters">
          <label>Owner
            <select value={owner} onChange={(e) => setOwner(e.target.value as OwnerChoice)} aria-label="Owner">
              <option value="anyone">Anyone’s leads</option>
              <option value="me">My leads (whoever opens the list)</option>
              <option value="nobody">Leads nobody owns</option>
              <option value="person">One person’s leads…</option>
            </select>
          </label>
          {owner === 'person' && (
            <label>Their email
              <input type="email" value={ownerEmail} onChange={(e) => setOwnerEmail(e.target.value)} placeholder="ana@acme.com" />
            </label>
          )}
          {models.length > 0 && (
            <label>Bracket
              <span className="inputs">
                {models.length > 1 && (
                  <select aria-label="Model of the bracket" value={bracketModel} onChange={(e) => { setBracketModel(e.target.value); setBracket(''); }}>
                    {models.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
                  </select>
                )}
                <select value={bracket} onChange={(e) => setBracket(e.target.value)} aria-label="Bracket">
                  <option value="">Any bracket</option>
                  {brackets.map((b) => <option key={b.name} value={b.name}>{b.name}</option>)}
                </select>
              </span>
            </label>
          )}
          <label>Score change
            <span className="inputs">
              <select value={change} onChange={(e) => setChange(e.target.value as '' | 'fell' | 'rose')} aria-label="Score change">
                <option value="">Any</option>
                <option value="fell">Score fell</option>
                <option value="rose">Score rose</option>
              </select>
              {change && (
                <>
                  <span>in the last</span>
                  <input type="number" min={1} max={365} step={1} value={days} onChange={(e) => setDays(e.target.value)} aria-label="Days" className="days" />
                  <span>days</span>
                  {models.length > 1 && (
                    <select aria-label="Model of the score" value={changeModel} onChange={(e) => setChangeModel(e.target.value)}>
                      {models.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
                    </select>
                  )}
                </>
              )}
            </span>
          </label>
        </div>
        <h3 className="list-fields-h">Field filters</h3>
        {bar ? <FilterBar fields={fields} tests={tests} onTests={setTests} search={search} onSearch={setSearch} /> : (
          <p className="muted">This list’s field filter was made through the API and is kept as it is.</p>
        )}
      </div>
      {error && <p className="notice error" role="alert">{error}</p>}
      <footer className="dialog-foot">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="primary" onClick={() => void save()} disabled={busy}>{busy ? 'Saving…' : list ? 'Save the list' : 'Make the list'}</button>
      </footer>
    </Dialog>
  );
}
