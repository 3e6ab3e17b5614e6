import { DOCS_URL } from './paths.js';
import { STYLESHEET } from './style.js';

/** Where the live API reference is served. */
export const API_REFERENCE_URL = `${DOCS_URL}/api`;

/** Text made safe inside HTML, attributes included. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const escape = escapeHtml;

/** The header on every docs page: the docs index, the API reference, the editor. */
export const SITE_HEADER = `<header class="site"><a class="brand" href="${DOCS_URL}">Scoremap docs</a><nav aria-label="Site"><a href="${DOCS_URL}">Docs index</a><a href="${API_REFERENCE_URL}">API reference</a><a href="/">Editor</a></nav></header>`;

/**
 * A whole docs page around `body` (HTML): the shared stylesheet as a file and no script, as the
 * pages' content policy asks. `source`: the repository file it was rendered from, named at the foot.
 */
export function docsPage(title: string, body: string, source?: string): string {
  const foot = source ? `<p class="source">From <code>${escape(source)}</code> in the repository.</p>` : '';
  return `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} · Scoremap docs</title><link rel="stylesheet" href="${STYLESHEET}">
${SITE_HEADER}<main>${body}</main>${foot}</html>`;
}
