import { docsUrl, type DocPage } from './docs.js';
import './help-link.css';

/**
 * A panel's link to its page in the docs, opened in a new tab: a small "? Docs" in the panel's
 * header (only the "?" where room is short, `iconOnly`), named "Help: <page title>" for screen
 * readers and tests.
 */
export function HelpLink({ page, iconOnly = false }: { page: DocPage; iconOnly?: boolean }) {
  return (
    <a className={`help-link${iconOnly ? ' icon-only' : ''}`} href={docsUrl(page)} target="_blank" rel="noreferrer" aria-label={`Help: ${page.title}`} title={`${page.title}, in the docs (opens a new tab)`}>
      <span className="help-icon" aria-hidden="true">?</span>{!iconOnly && 'Docs'}
    </a>
  );
}
