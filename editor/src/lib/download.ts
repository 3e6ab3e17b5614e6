import { ApiError, apiHeaders } from './api.js';

/** Saves text as a file through a temporary blob link. */
export function downloadText(text: string, fileName: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/**
 * Downloads an API answer as a file. A plain link cannot carry the token (it is a header, not a
 * cookie; a signed-in person's cookie goes along all the same), so the file is fetched with it and handed over as a blob; the server's file name is kept.
 */
export async function downloadFromApi(path: string, fallbackName: string): Promise<void> {
  const res = await fetch(`/api${path}`, { headers: apiHeaders() }).catch(() => {
    throw new ApiError(0, 'The server cannot be reached. Is Scoremap still running?');
  });
  const text = await res.text();
  if (!res.ok) {
    let message = `The server answered ${res.status}`;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch { /* not JSON: keep the status */ }
    throw new ApiError(res.status, message);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  downloadText(text, name, res.headers.get('content-type') ?? 'application/json');
}
