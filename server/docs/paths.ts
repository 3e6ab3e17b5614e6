import { existsSync, realpathSync, statSync } from 'node:fs';
import { extname, join, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, whose `docs/` is served at /docs. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where the docs are served. */
export const DOCS_URL = '/docs';

/** Where the repository files the docs link to, outside `docs/`, are served (`/docs/repo/maps/README.md`). */
export const REPO_URL = '/docs/repo';

/**
 * The files outside `docs/` that are served, because the docs link to them: the README, the
 * templates and their JSON Schema (`maps/`), and the scenarios the guides cite (`test/scenarios/`).
 * Only these types are served from them; the source code is not.
 */
export const OUTSIDE_ROOTS: readonly string[] = ['README.md', 'maps', 'test/scenarios'];
const OUTSIDE_TYPES = new Set(['.md', '.json', '.png']);

/** The content types of the files served (a Markdown page is rendered to HTML instead). */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

/**
 * Whether a repository path (posix, relative to the root, normalised) may be served: under `docs/`
 * a folder, a page or a file of a known type; outside it, a folder, page, JSON or PNG under
 * `OUTSIDE_ROOTS`. (A folder `docs/repo/` would be hidden by the /docs/repo prefix.)
 */
export function isServed(repoPath: string): boolean {
  const ext = extname(repoPath);
  if (repoPath === 'docs' || repoPath.startsWith('docs/')) return ext === '' || ext === '.md' || ext in CONTENT_TYPES;
  if (!OUTSIDE_ROOTS.some((r) => repoPath === r || repoPath.startsWith(`${r}/`))) return false;
  return ext === '' || OUTSIDE_TYPES.has(ext);
}

/** The URL a repository path is served at, or null when it is not served. Directories end in `/`. */
export function urlOf(repoPath: string, isDirectory: boolean): string | null {
  if (!isServed(repoPath)) return null;
  const tail = isDirectory ? '/' : '';
  if (repoPath === 'docs') return DOCS_URL;
  const url = repoPath.startsWith('docs/') ? `${DOCS_URL}/${repoPath.slice(5)}` : `${REPO_URL}/${repoPath}`;
  return encodeURI(url + tail);
}

/**
 * The repository path a URL under /docs names, or null when it names none that may be served.
 * Each segment is decoded on its own, so `..`, `%2e%2e` or an encoded slash cannot climb out, and a
 * symbolic link is followed only when it stays inside the repository.
 */
export function repoPathOf(urlPath: string, root: string = REPO_ROOT): string | null {
  let rest: string;
  if (urlPath === REPO_URL || urlPath.startsWith(`${REPO_URL}/`)) rest = urlPath.slice(REPO_URL.length + 1);
  else if (urlPath === DOCS_URL || urlPath.startsWith(`${DOCS_URL}/`)) rest = `docs/${urlPath.slice(DOCS_URL.length + 1)}`;
  else return null;
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '') continue;
    if (segment === '.' || segment === '..' || segment.startsWith('.') || /[/\\\0]/.test(segment)) return null;
    segments.push(segment);
  }
  const repoPath = segments.join('/');
  if (!repoPath || !isServed(repoPath)) return null;
  const abs = join(root, ...segments);
  if (!existsSync(abs)) return null;
  const real = realpathSync(abs);
  const realRoot = realpathSync(root);
  if (real !== realRoot && !real.startsWith(realRoot + sep)) return null;
  return repoPath;
}

/** Resolves a link's path from a page (both repository paths) to a repository path, or null when it leaves the repository. */
export function resolveLink(page: string, target: string): string | null {
  const joined = target.startsWith('/') ? posix.normalize(target.slice(1)) : posix.normalize(posix.join(posix.dirname(page), target));
  const clean = joined.replace(/\/+$/, '');
  if (clean === '..' || clean.startsWith('../')) return null;
  return clean === '.' ? '' : clean;
}

/** Whether a repository path is a directory. */
export const isDirectory = (root: string, repoPath: string) => {
  const abs = join(root, ...repoPath.split('/'));
  return existsSync(abs) && statSync(abs).isDirectory();
};
