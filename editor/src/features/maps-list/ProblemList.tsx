import { ApiError } from '../../lib/api.js';

/** A validation problem as the API answers it (SPEC §2 "Validation"). */
export interface Problem {
  readonly element: string | null;
  readonly path: string;
  readonly message: string;
  readonly severity?: 'error' | 'warning';
}

/** The problems an API error carries in `details.problems`, if any. */
export function problemsOf(e: unknown): Problem[] {
  if (!(e instanceof ApiError)) return [];
  const list = (e.details as { problems?: unknown } | undefined)?.problems;
  return Array.isArray(list) ? (list as Problem[]) : [];
}

/**
 * Problems as a list a person reads: the element each names (its id), then the message, which
 * already says what to do. `where` turns a path into words when there is no element (scoring rules).
 */
export function ProblemList({ problems, where }: { problems: readonly Problem[]; where?: (p: Problem) => string | null }) {
  if (!problems.length) return null;
  return (
    <ul className="problems" aria-label="Problems">
      {problems.map((p, i) => {
        const place = p.element ?? where?.(p) ?? null;
        return (
          <li key={i}>
            <span className={`badge ${p.severity === 'warning' ? 'warn' : 'danger'}`}>{p.severity === 'warning' ? 'Warning' : 'Error'}</span>
            {place && <code title="Where">{place}</code>}
            <span>{p.message}</span>
          </li>
        );
      })}
    </ul>
  );
}
