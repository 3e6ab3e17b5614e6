import type { Bracket } from './api.js';

/** Brackets, highest first: a contact is in the first whose minimum its score reaches. */
export function BracketsEditor({ brackets, onChange }: { brackets: readonly Bracket[]; onChange: (b: Bracket[]) => void }) {
  const set = (i: number, b: Bracket) => onChange(brackets.map((x, j) => (j === i ? b : x)));
  return (
    <div className="brackets">
      {brackets.length === 0 && <p className="muted small">No brackets: contacts are not grouped.</p>}
      {brackets.map((b, i) => (
        <div key={i} className="bracket-row">
          <input aria-label={`Name of bracket ${i + 1}`} value={b.name} placeholder="e.g. High" onChange={(e) => set(i, { ...b, name: e.target.value })} />
          <span className="muted">from</span>
          <input aria-label={`Lowest score of bracket ${b.name || i + 1}`} type="number" step="any" value={Number.isFinite(b.min) ? b.min : ''} onChange={(e) => set(i, { ...b, min: Number(e.target.value) })} />
          <button type="button" className="icon small" aria-label={`Remove bracket ${b.name || i + 1}`} onClick={() => onChange(brackets.filter((_, j) => j !== i))}>×</button>
        </div>
      ))}
      <button type="button" className="link small" onClick={() => onChange([...brackets, { name: '', min: 0 }])}>+ Add a bracket</button>
    </div>
  );
}
