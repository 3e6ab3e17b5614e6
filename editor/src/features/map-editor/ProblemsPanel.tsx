import { useMemo, useState } from 'react';
import type { Problem } from '../../../../engine/elements/types.js';
import { useMapEditor } from '../../store/map-editor.js';

/** The problems of the draft, errors first; clicking one selects its element, brings it into view and puts the cursor in the setting it names. */
export function ProblemsPanel({ onFocus }: { onFocus(elementId: string, problem: Problem): void }) {
  const problems = useMapEditor((s) => s.problems);
  const [open, setOpen] = useState(true);
  const sorted = useMemo(
    () => [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1)),
    [problems],
  );
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const summary = !problems.length
    ? 'No problems'
    : [errors && `${errors} error${errors > 1 ? 's' : ''}`, warnings && `${warnings} warning${warnings > 1 ? 's' : ''}`].filter(Boolean).join(', ');

  return (
    <section className={`problems-panel${open && problems.length ? ' open' : ''}`} aria-label="Problems">
      <button type="button" className="problems-head" aria-expanded={open} onClick={() => setOpen(!open)} disabled={!problems.length}>
        <span className={`dot ${errors ? 'danger' : warnings ? 'warn' : 'ok'}`} aria-hidden="true" />
        <strong>Problems</strong>
        <span className="muted">{summary}</span>
        {problems.length > 0 && <span className="chevron" aria-hidden="true">{open ? '▾' : '▸'}</span>}
      </button>
      {open && problems.length > 0 && (
        <ul>
          {sorted.map((p, i) => <ProblemItem key={`${p.element}:${p.path}:${i}`} problem={p} onFocus={onFocus} />)}
        </ul>
      )}
    </section>
  );
}

function ProblemItem({ problem: p, onFocus }: { problem: Problem; onFocus(id: string, problem: Problem): void }) {
  const badge = <span className={`sev ${p.severity}`}>{p.severity === 'error' ? 'Error' : 'Warning'}</span>;
  if (!p.element) return <li>{badge}<span>{p.message}</span></li>;
  return (
    <li>
      <button type="button" className="problem-link" onClick={() => onFocus(p.element!, p)} title="Show this element">
        {badge}<span>{p.message}</span>
      </button>
    </li>
  );
}
