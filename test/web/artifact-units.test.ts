/** Unit tests: a table artifact as CSV (formula-safe), and markdown as HTML that runs nothing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvFileName, tableCsv } from '../../web/lib/artifact-csv';
import { renderMarkdown } from '../../web/lib/markdown';

test('CSV: quoted where needed, numbers as they are, text that starts like a formula made text', () => {
  const csv = tableCsv({
    columns: ['name', 'value'],
    rows: [
      ['=1+2', 1], ['+SUM(A1)', -3.5], ['-2', 0], ['@cmd', true], ['\tx', null], ['\rline', 2],
      ['a,b', 'say "hi"'], ['two\nlines', 'plain'],
    ],
  });
  assert.equal(
    csv,
    'name,value\r\n' +
      "'=1+2,1\r\n'+SUM(A1),-3.5\r\n'-2,0\r\n'@cmd,true\r\n'\tx,\r\n\"'\rline\",2\r\n" +
      '"a,b","say ""hi"""\r\n"two\nlines",plain\r\n',
  );
  assert.equal(csvFileName('daily-totals', '0193a1e2-7c4d-7e8f'), 'daily-totals-0193a1e2.csv');
});

test('markdown: formatting kept; raw HTML shown as text; script and data links left as text', () => {
  assert.equal(renderMarkdown('**12.5 mm** on *Tuesday*'), '<p><strong>12.5 mm</strong> on <em>Tuesday</em></p>\n');
  const html = renderMarkdown(
    [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](vbscript:x) [d](data:text/html;base64,PHNjcmlwdD4=)',
      '<javascript:alert(1)>',
      '[ok](https://example.org/a?b=1)',
    ].join('\n\n'),
  );
  assert.doesNotMatch(html, /<script|<img|<[^>]*onerror|href="(javascript|vbscript|data):/i);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /<a href="https:\/\/example.org\/a\?b=1" rel="noopener noreferrer nofollow" target="_blank">ok<\/a>/);
  assert.equal((html.match(/<a /g) ?? []).length, 1, 'only the https link is a link');
});
