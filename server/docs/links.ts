import { resolveLink } from './paths.js';

/** Whether a link leaves for the web (or mail) rather than pointing into the repository. */
export const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/** A relative link of `page` as the repository path it names and its `#anchor` (with the `#`), or null when it leaves the repository. */
export function linkTarget(page: string, href: string): { path: string; hash: string } | null {
  const at = href.indexOf('#');
  const pathPart = at < 0 ? href : href.slice(0, at);
  const hash = at < 0 ? '' : href.slice(at);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    return null;
  }
  const path = decoded === '' ? page : resolveLink(page, decoded);
  return path === null ? null : { path, hash };
}
