import { useState } from 'react';
import { downloadFromApi } from '../../lib/download.js';
import { dayOf } from './words.js';

/** Downloads a report as CSV (the same question, `?format=csv`); a refusal is shown in words beside it. */
export function CsvButton({ path, name, disabled }: { path: string; name: string; disabled?: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <span className="csv-button">
      <button type="button" disabled={disabled || busy} title="Download this report as a CSV file (opens in a spreadsheet)"
        onClick={() => {
          setError(null);
          setBusy(true);
          downloadFromApi(path, name).catch((e: Error) => setError(`The CSV could not be downloaded: ${e.message}`)).finally(() => setBusy(false));
        }}>Download CSV</button>
      {error && <span className="error small" role="alert">{error}</span>}
    </span>
  );
}

/** A period: two days, from the start of the first to the end of the last. */
export function PeriodInputs({ from, to, onChange, label = 'Period' }: { from: string; to: string; onChange: (from: string, to: string) => void; label?: string }) {
  return (
    <fieldset className="period">
      <legend className="sr-only">{label}</legend>
      <label>From <input type="date" value={from} max={to || undefined} onChange={(e) => onChange(e.target.value, to)} /></label>
      <label>To <input type="date" value={to} min={from || undefined} onChange={(e) => onChange(from, e.target.value)} /></label>
    </fieldset>
  );
}

/** The windows a conversion can be counted over. */
export const WINDOWS: readonly { readonly value: string; readonly words: string }[] = [
  { value: '7d', words: '7 days' },
  { value: '14d', words: '14 days' },
  { value: '30d', words: '30 days' },
  { value: '60d', words: '60 days' },
  { value: '90d', words: '90 days' },
];

/** "Converted within": the window after the scores' moment in which an outcome counts. */
export function WindowPicker({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <label>Converted within
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {WINDOWS.map((w) => <option key={w.value} value={w.value}>{w.words}</option>)}
      </select>
    </label>
  );
}

/** A report's state as its card shows it: loading, its error in words, or nothing to say. */
export function ReportStatus({ loading, error, what }: { loading: boolean; error: string | null; what: string }) {
  if (error) return <p className="notice error" role="alert">The {what} could not be loaded: {error}</p>;
  if (loading) return <p className="loading">Loading the {what}…</p>;
  return null;
}

/**
 * A day a report starts from, `daysAgo` before the server's now until the user picks one: the
 * server's clock can live at another time than the browser's (a demo, a test), and its offset
 * arrives after the first render.
 */
export function useDay(now: number, daysAgo: number): [string, (day: string) => void] {
  const [picked, setPicked] = useState<string | null>(null);
  return [picked ?? dayOf(now - daysAgo * 86_400_000), setPicked];
}
