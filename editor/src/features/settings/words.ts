/**
 * What the Settings pages say about keys and webhooks, in words: pure, so it is tested without a
 * browser.
 */
import { formatRelative, formatTime } from '../charts/format.js';
import type { Attempt, Scope, Webhook } from './api.js';

/** A scope, what a key of it can do, and where it may be kept. */
export interface ScopeWords {
  readonly scope: Scope;
  readonly title: string;
  readonly can: string;
  readonly keep: string;
}

/** The scopes, the narrowest first: the order the New key dialog offers them. */
export const SCOPES: readonly ScopeWords[] = [
  {
    scope: 'ingest',
    title: 'Ingest',
    can: 'Sends events and contact details in (/api/events, the Segment-compatible /v1 routes, the website tracker). Reads nothing.',
    keep: 'Safe to put in a web page: list the websites allowed to use it.',
  },
  {
    scope: 'read',
    title: 'Read',
    can: 'Reads contacts, scores, history, maps, models and reports. Changes nothing.',
    keep: 'For dashboards and CRMs; keep it on a server.',
  },
  {
    scope: 'admin',
    title: 'Admin',
    can: 'Does everything, like the access token the server printed at start-up.',
    keep: 'Keep it secret, on a server: never in a web page.',
  },
];

export const scopeWords = (scope: Scope): ScopeWords => SCOPES.find((s) => s.scope === scope) ?? SCOPES[SCOPES.length - 1];

/** The tag a website pastes to load the tracker with an ingest key. */
export function trackerSnippet(serverOrigin: string, key: string): string {
  return `<script async src="${serverOrigin.replace(/\/+$/, '')}/t.js" data-key="${key}"></script>`;
}

/**
 * Web origins typed one a line (or separated by commas or spaces): each must be `http(s)://host`
 * with an optional port and nothing after it. Answers the origins as browsers send them (lower
 * case, default port left out), without repeats, and a sentence for each one that is not an origin.
 */
export function parseOrigins(text: string): { origins: string[]; problems: string[] } {
  const origins: string[] = [];
  const problems: string[] = [];
  for (const raw of text.split(/[\s,]+/).filter(Boolean)) {
    let url: URL | null = null;
    try {
      url = new URL(raw);
    } catch { /* said below */ }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.host) {
      problems.push(`"${raw}" is not a web origin: write it as https://www.example.com`);
      continue;
    }
    const rest = raw.replace(/^[a-z]+:\/\/[^/?#]*/i, '');
    if (rest && rest !== '/') {
      problems.push(`"${raw}" has a path: an origin is only the scheme, the host and the port (${url.origin})`);
      continue;
    }
    if (url.username || url.password) {
      problems.push(`"${raw}" carries a user name: an origin is only the scheme, the host and the port`);
      continue;
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return { origins, problems };
}

/** A webhook's URL checked before it is sent: an http(s) address, in words when it is not. */
export function checkWebhookUrl(text: string): string | null {
  const value = text.trim();
  if (!value) return 'Give the address that receives the deliveries.';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a web address: it starts with https:// (or http://)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `The address must start with https:// or http://, not ${url.protocol}//`;
  return null;
}

/** Whether an address is a Slack incoming webhook's (which wants the `slack` format). */
export const isSlackUrl = (url: string): boolean => /^https:\/\/hooks\.slack\.com\//i.test(url.trim());

export type Tone = 'ok' | 'warn' | 'danger';

/**
 * The last problem in a disabled subscription's reason ("Failing since … (last: HTTP 503): disabled
 * after 3 days" → "HTTP 503"); a reason of another form is kept whole.
 */
export function lastProblem(reason: string | null): string | null {
  if (!reason) return null;
  return /\(last: (.+)\): disabled/.exec(reason)?.[1] ?? reason;
}

/** A subscription's status as a badge, and the line under it that says why and since when. */
export function webhookStatus(w: Pick<Webhook, 'status' | 'statusReason' | 'failingSince' | 'updatedAt'>, now: number): { tone: Tone; label: string; detail: string | null } {
  if (w.status === 'disabled') {
    const since = w.failingSince ? `Failing since ${formatTime(w.failingSince)}` : `Disabled ${formatRelative(w.updatedAt, now)}`;
    const last = lastProblem(w.statusReason);
    return { tone: 'danger', label: 'disabled', detail: last ? `${since}; last: ${last}` : since };
  }
  if (w.status === 'paused') return { tone: 'warn', label: 'paused', detail: `Paused ${formatRelative(w.updatedAt, now)}: no new deliveries until it is resumed` };
  if (w.failingSince) return { tone: 'ok', label: 'active', detail: `Failing since ${formatRelative(w.failingSince, now)}: retrying` };
  return { tone: 'ok', label: 'active', detail: null };
}

/** An HTTP status code as a badge's tone: 2xx delivered, anything else failed. */
export const codeTone = (code: number | null): Tone => (code !== null && code >= 200 && code < 300 ? 'ok' : 'danger');

/** One attempt in a line: "200 in 34 ms", "No answer in 10,000 ms: timed out". */
export function attemptWords(a: Pick<Attempt, 'statusCode' | 'error' | 'ms'>): string {
  const time = `${Math.round(a.ms).toLocaleString()} ms`;
  if (a.statusCode !== null) return `${a.statusCode} in ${time}${a.error ? ` (${a.error})` : ''}`;
  return `No answer in ${time}${a.error ? `: ${a.error}` : ''}`;
}

/** The start of a receiver's answer on one line, cut at `max` characters with an ellipsis. */
export function excerpt(text: string | null | undefined, max = 120): string {
  if (!text) return '';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

/** A new signing secret as Standard Webhooks writes them: `whsec_` and 32 random bytes in base64. */
export function newSecret(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(32));
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return `whsec_${btoa(text)}`;
}

/** A secret with all but its first characters hidden. */
export const maskSecret = (secret: string): string => `${secret.slice(0, 10)}${'•'.repeat(Math.max(0, Math.min(24, secret.length - 10)))}`;

/** "3 minutes ago", or "never" for a key never used. */
export const lastUsedWords = (at: string | null, now: number): string => (at ? formatRelative(at, now) : 'never');
