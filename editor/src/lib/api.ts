/** The API client: the token, JSON in and out, and errors as words (SPEC §6). */

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

/** An error the server answered, with its status, message and details. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly details?: unknown) {
    super(message);
  }
}

/** Calls the API; a 4xx/5xx becomes an ApiError carrying the server's message. */
export async function api<T = unknown>(path: string, init: { method?: string; body?: unknown; raw?: string; contentType?: string } = {}): Promise<T> {
  const token = localStorage.getItem(TOKEN_KEY) ?? '';
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
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
    res = await fetch(`/api${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Is Scoremap still running?');
  }
  const text = await res.text();
  const data = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const err = (data as { error?: { message?: string; details?: unknown } } | undefined)?.error;
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
