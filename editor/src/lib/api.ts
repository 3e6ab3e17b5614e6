/**
 * The API client: the token or the session cookie, JSON in and out, and errors as words (SPEC §6,
 * §12). Every request carries `X-Scoremap-Request: 1`: a signed-in browser's changes need it (a
 * form on another site cannot send it); the saved token, when there is one, goes as the bearer.
 */

const TOKEN_KEY = 'scoremap.token';

/**
 * The API token: taken from `?token=` once (then removed from the address bar, so it is not
 * bookmarked or shared by accident) and kept in localStorage.
 */
export function readToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    localStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
  }
  return localStorage.getItem(TOKEN_KEY);
}

export function forgetToken(): void {
  localStorage.removeItem(TOKEN_KEY);
}

/** Whether a token is saved in this browser (the owner's, or a key pasted as one). */
export function hasToken(): boolean {
  return !!localStorage.getItem(TOKEN_KEY);
}

/** The headers every API request carries: the saved token as the bearer (if any), and the header a form cannot send. */
export function apiHeaders(): Record<string, string> {
  const token = localStorage.getItem(TOKEN_KEY);
  return token ? { 'x-scoremap-request': '1', authorization: `Bearer ${token}` } : { 'x-scoremap-request': '1' };
}

/** Dispatched on `window` when a request is refused as not signed in (401). */
export const UNAUTHORIZED_EVENT = 'scoremap:unauthorized';

/** An error the server answered, with its status, message and details. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly details?: unknown) {
    super(message);
  }
}

/** Calls the API; a 4xx/5xx becomes an ApiError carrying the server's message. */
export async function api<T = unknown>(path: string, init: { method?: string; body?: unknown; raw?: string; contentType?: string } = {}): Promise<T> {
  // Without a token the session cookie (sent by the browser itself) says who this is.
  const headers = apiHeaders();
  let body: string | undefined;
  if (init.raw !== undefined) {
    body = init.raw;
    headers['content-type'] = init.contentType ?? 'text/plain';
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(`/api${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Is Scoremap still running?');
  }
  const text = await res.text();
  const data = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const err = (data as { error?: { message?: string; details?: unknown } } | undefined)?.error;
    // A session that ended (or a token revoked) mid-work: the app shows the sign-in page.
    if (res.status === 401 && path !== '/session' && path !== '/me') window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
    throw new ApiError(res.status, err?.message ?? `The server answered ${res.status}`, err?.details);
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
