/**
 * Markdown of an artifact as HTML that cannot run script: markdown-it with raw HTML off (`html: false`, its
 * default: a <script> in the text is shown as text) and its link check, which refuses javascript:, vbscript:,
 * file: and (but for raster images) data: addresses — such a link stays text. markdown-it because it is safe by
 * default and maintained, with no plugin needed for that; the page's Content-Security-Policy runs only Sluice's
 * own scripts in any case.
 *
 * @example
 * renderMarkdown('**12.5 mm** on <script>x</script> [day](javascript:alert(1))')
 * // '<p><strong>12.5 mm</strong> on &lt;script&gt;x&lt;/script&gt; [day](javascript:alert(1))</p>\n'
 */
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

// Links open in a new tab and tell the other site nothing of this page.
const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
  tokens[idx]!.attrSet('target', '_blank');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderMarkdown(text: string): string {
  return markdown.render(text);
}
