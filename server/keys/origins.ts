/**
 * A web origin as a browser sends it in `Origin` (RFC 6454): scheme, host and port, nothing else.
 * What a person writes is taken when it means one origin (`https://Shop.Example.com/` is
 * `https://shop.example.com`); anything more (a path, a query) is refused, saying why.
 */
export function readOrigin(text: string): { origin: string } | { problem: string } {
  const shown = JSON.stringify(text);
  const example = 'as "https://www.example.com" (scheme, host and port only)';
  if (text.trim() === '*') return { problem: `${shown} would let every website use the key: list each website's origin, ${example}` };
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { problem: `${shown} is not a web address: write the website's origin ${example}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: `${shown} is not a website: an origin starts with https:// (or http://), ${example}` };
  }
  if (url.username || url.password) return { problem: `${shown} has a user name or password: write the origin alone, ${example}` };
  if (url.pathname !== '/') return { problem: `${shown} has a path: an origin is the website alone, ${example}` };
  if (url.search || url.hash || /[?#]/.test(text)) return { problem: `${shown} has a query or a fragment: write the origin alone, ${example}` };
  return { origin: url.origin };
}
