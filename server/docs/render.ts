import { Marked, type Tokens } from 'marked';
import { isExternal, linkTarget } from './links.js';
import { anchorCounter } from './slug.js';
import { escapeHtml as escape } from './layout.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
/** HTML as the plain text a title shows. */
const plain = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e]);

/** A rendered page: its first heading as the title, and its HTML. */
export interface RenderedPage {
  readonly title: string;
  readonly html: string;
}

/**
 * Renders one Markdown page of the repository (`page`: its path, `docs/guide/concepts.md`) as the
 * served site shows it: headings carry GitHub's anchors, so `page.md#a-heading` lands; relative
 * links and images point where the file is served (`where`: a repository path's URL, or null when
 * it is not served, and the link becomes its text). The page's raw HTML is the repository's own.
 */
export function renderPage(source: string, page: string, where: (repoPath: string) => string | null): RenderedPage {
  const anchor = anchorCounter();
  let title = '';
  const rewrite = (href: string): string | null => {
    if (isExternal(href) || href.startsWith('#')) return href;
    const target = linkTarget(page, href);
    if (!target) return null;
    const url = where(target.path);
    return url === null ? null : url + target.hash;
  };
  const marked = new Marked({
    gfm: true,
    renderer: {
      heading(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Heading) {
        const id = anchor(token.text);
        const inner = this.parser.parseInline(token.tokens);
        if (!title) title = plain(inner);
        return `<h${token.depth} id="${escape(id)}">${inner}</h${token.depth}>\n`;
      },
      link(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Link) {
        const href = rewrite(token.href);
        const inner = this.parser.parseInline(token.tokens);
        // A file the site does not serve (source code): its name stays, as text.
        if (href === null) return `<span class="unserved" title="${escape(token.href)} in the repository">${inner}</span>`;
        return `<a href="${escape(href)}"${token.title ? ` title="${escape(token.title)}"` : ''}>${inner}</a>`;
      },
      image(token: Tokens.Image) {
        const src = rewrite(token.href) ?? token.href;
        return `<img src="${escape(src)}" alt="${escape(token.text)}"${token.title ? ` title="${escape(token.title)}"` : ''} loading="lazy">`;
      },
      html(token: Tokens.HTML | Tokens.Tag) {
        return token.text.replace(/(\s(?:href|src)=")([^"]*)"/g, (whole, lead: string, value: string) => {
          const href = rewrite(value.replace(/&amp;/g, '&'));
          return href === null ? whole : `${lead}${escape(href)}"`;
        });
      },
    },
  });
  const html = marked.parse(source, { async: false });
  return { title: title || page, html };
}
