/**
 * Numbers and times as the pages show them (charts' axes, tables, history). Times are shown in
 * the browser's zone: the server keeps UTC and answers ISO-8601, so the reader sees their own clock.
 */

const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' });
const dateOnly = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dateYear = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

/** "Jan 3, 2026, 10:05"; an empty or unreadable time is a dash. */
export function formatTime(t: string | number | null | undefined): string {
  if (t === null || t === undefined || t === '') return '—';
  const ms = typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(ms) ? dateTime.format(ms) : String(t);
}

/** "Jan 3, 2026". */
export function formatDate(t: string | number): string {
  const ms = typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(ms) ? dateYear.format(ms) : String(t);
}

/** "3 days ago", "in 5 hours", relative to `now`. */
export function formatRelative(t: string | number, now: number): string {
  const ms = typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) return String(t);
  const diff = ms - now;
  const abs = Math.abs(diff);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000]];
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of units) if (abs >= size) return rtf.format(Math.round(diff / size), unit);
  return 'just now';
}

/** A number with at most `decimals` places and no trailing zeros: 12, 12.5, 0.45. */
export function formatNumber(v: number, decimals = 2): string {
  return v.toLocaleString(undefined, { maximumFractionDigits: decimals });
}

/** A change with its sign: "+5", "−0.45". */
export function formatDelta(d: number): string {
  const text = formatNumber(Math.abs(d));
  return d > 0 ? `+${text}` : d < 0 ? `−${text}` : '±0';
}

/** Any shown field value in words: numbers rounded for reading, dates in the reader's zone, tags joined. */
export function formatValue(v: unknown, type?: string): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.length ? v.join(', ') : '—';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (type === 'date') return formatTime(String(v));
  return String(v);
}

/**
 * About `count` round numbers spanning [min, max] ("nice" steps of 1, 2 or 5 × 10ⁿ). `whole`: for
 * counts, the step is never below 1 (no "0.25 contacts").
 */
export function niceTicks(min: number, max: number, count = 5, whole = false): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const step = whole ? Math.max(1, Math.round(nice)) : nice;
  const ticks: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const withSeconds = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
const STEPS = [SECOND, 5 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];

/** Time ticks on round moments (local midnight for days), with labels fitting the step. */
export function timeTicks(from: number, to: number, count = 6): { t: number; label: string }[] {
  if (!(to > from)) return [{ t: from, label: formatTime(from) }];
  const step = STEPS.find((s) => (to - from) / s <= count) ?? STEPS[STEPS.length - 1];
  let t: number;
  if (step >= DAY) {
    const d = new Date(from);
    d.setHours(0, 0, 0, 0);
    t = d.getTime();
    if (t < from) t += DAY;
  } else {
    const offset = new Date(from).getTimezoneOffset() * MINUTE;
    t = Math.ceil((from - offset) / step) * step + offset;
  }
  const ticks: { t: number; label: string }[] = [];
  // Day steps move by calendar days so a DST change does not drift the ticks off midnight.
  for (let i = 0; t <= to && i < 100; i++) {
    // Below a day, midnights carry the date so the reader knows which day the hours belong to.
    const midnight = new Date(t).getHours() === 0 && new Date(t).getMinutes() === 0;
    const label = step >= DAY || midnight ? dateOnly.format(t) : step < MINUTE ? withSeconds.format(t) : timeOnly.format(t);
    ticks.push({ t, label });
    if (step >= DAY) {
      const d = new Date(t);
      d.setDate(d.getDate() + Math.round(step / DAY));
      t = d.getTime();
    } else t += step;
  }
  // A short span can hold no round moment at all: its two ends are labelled instead, so the axis still says when.
  if (ticks.length < 2) {
    const label = (at: number) => (to - from < MINUTE ? withSeconds.format(at) : timeOnly.format(at));
    return [{ t: from, label: label(from) }, { t: to, label: label(to) }];
  }
  return ticks;
}

/**
 * "Jan 3, 2026, 10:05", or with seconds ("10:05:42") for the times of `all` that share their minute
 * with another one: two changes a few seconds apart are told apart, and in order.
 */
export function timeLabels(all: readonly (string | number)[]): string[] {
  const minute = (t: string | number) => formatTime(t);
  const count = new Map<string, Set<number>>();
  for (const t of all) {
    const ms = typeof t === 'number' ? t : Date.parse(t);
    const key = minute(t);
    count.set(key, (count.get(key) ?? new Set()).add(ms));
  }
  return all.map((t) => {
    const key = minute(t);
    const ms = typeof t === 'number' ? t : Date.parse(t);
    return (count.get(key)?.size ?? 0) > 1 && Number.isFinite(ms) ? dateTimeSeconds.format(ms) : key;
  });
}
