/** Where the pages' stylesheet is served (the docs, the API reference, the landing page). */
export const STYLESHEET = '/docs.css';

/**
 * The pages' stylesheet, served as a file: their policy refuses inline styles
 * (server/http/security-headers.ts). Light and dark follow the reader's system.
 */
export const STYLE = `:root{color-scheme:light dark;--text:#1f2937;--muted:#6b7280;--bg:#fff;--line:#e5e7eb;--code:#f3f4f6;--link:#1d4ed8}
@media (prefers-color-scheme: dark){:root{--text:#e5e7eb;--muted:#9ca3af;--bg:#111827;--line:#374151;--code:#1f2937;--link:#93c5fd}}
body{font:15px/1.6 system-ui,sans-serif;max-width:60rem;margin:0 auto 3rem;padding:0 1rem;color:var(--text);background:var(--bg)}
a{color:var(--link)}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--code);padding:.1rem .3rem;border-radius:4px}
pre{padding:.75rem 1rem;overflow-x:auto}pre code{padding:0;background:none}
h1,h2,h3,h4{line-height:1.25;margin:1.8rem 0 .6rem}h1{font-size:1.9rem}
h2{margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
table{border-collapse:collapse;margin:1rem 0;display:block;overflow-x:auto}th,td{border:1px solid var(--line);padding:.35rem .7rem;text-align:left;vertical-align:top}th{background:var(--code)}
img{max-width:100%;height:auto;border:1px solid var(--line);border-radius:6px}
blockquote{margin:1rem 0;padding:0 1rem;color:var(--muted);border-left:3px solid var(--line)}
hr{border:0;border-top:1px solid var(--line)}
.site{display:flex;align-items:center;gap:1.2rem;flex-wrap:wrap;padding:.8rem 0;margin-bottom:1rem;border-bottom:1px solid var(--line)}
.site .brand{font-weight:700;color:var(--text);text-decoration:none}.site nav{display:flex;gap:1rem}
.source{margin-top:3rem;font-size:.85rem;color:var(--muted)}.unserved{border-bottom:1px dotted var(--muted)}
.op{margin:.4rem 0}.m{display:inline-block;width:4.5rem;font-weight:600}
.s{font-size:.75rem;padding:0 .35rem;border-radius:.25rem;border:1px solid;white-space:nowrap}.s-read{color:#166534}.s-ingest{color:#1d4ed8}.s-admin{color:#9a3412}
@media (prefers-color-scheme: dark){.s-read{color:#86efac}.s-ingest{color:#93c5fd}.s-admin{color:#fdba74}}`;
