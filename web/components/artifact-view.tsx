'use client';

/**
 * One artifact as people read it: its title and what it holds — a table a page at a time (with its CSV download),
 * markdown (rendered without raw HTML or script links), a link, an image, or a chart.
 */
import { useMemo, useState } from 'react';
import type { StoredArtifact, TableArtifact } from 'sluice/internal/types';
import { renderMarkdown } from '@/lib/markdown';
import { ArtifactChart } from './artifact-chart';

export const TABLE_PAGE_ROWS = 20;

/** Where a table artifact downloads as CSV. */
export const artifactCsvHref = (a: Pick<StoredArtifact, 'workflowId' | 'runId' | 'id'>) =>
  `/api/ui/runs/${encodeURIComponent(a.workflowId)}/${encodeURIComponent(a.runId)}/artifacts/${a.id}/csv`;

function TableView({ artifact, csvHref }: { artifact: TableArtifact; csvHref: string }) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(artifact.rows.length / TABLE_PAGE_ROWS));
  const from = page * TABLE_PAGE_ROWS;
  const rows = artifact.rows.slice(from, from + TABLE_PAGE_ROWS);
  const numeric = artifact.columns.map((_, c) => artifact.rows.length > 0 && artifact.rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  return (
    <>
      <div className="table-scroll">
        <table className="data" data-testid="artifact-table">
          <thead>
            <tr>
              {artifact.columns.map((c, i) => (
                <th key={i} className={numeric[i] ? 'num' : undefined} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, r) => (
              <tr key={from + r}>
                {row.map((cell, c) => (
                  <td key={c} className={numeric[c] ? 'num' : undefined}>
                    {cell === null ? '' : String(cell)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <span className="num">
          {artifact.rows.length === 0 ? 'No rows' : `Rows ${from + 1}–${from + rows.length} of ${artifact.rows.length}`}
        </span>
        {pages > 1 && (
          <>
            <button type="button" className="button small" disabled={page === 0} onClick={() => setPage(page - 1)}>
              ← Previous
            </button>
            <button type="button" className="button small" disabled={page >= pages - 1} onClick={() => setPage(page + 1)}>
              Next →
            </button>
          </>
        )}
        <a className="button small" href={csvHref} download data-testid="artifact-csv">
          Download CSV
        </a>
      </div>
    </>
  );
}

function MarkdownView({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  // Safe by construction (lib/markdown.ts): no raw HTML, no script links.
  return <div className="markdown" data-testid="artifact-markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

function Body({ artifact }: { artifact: StoredArtifact }) {
  switch (artifact.kind) {
    case 'table':
      return <TableView artifact={artifact} csvHref={artifactCsvHref(artifact)} />;
    case 'markdown':
      return <MarkdownView text={artifact.markdown} />;
    case 'link':
      return (
        <p>
          <a href={artifact.url} target="_blank" rel="noopener noreferrer nofollow" data-testid="artifact-link">
            {artifact.text ?? artifact.url} ↗
          </a>
        </p>
      );
    case 'image':
      // The page loads images from its own origin and data: URLs only (its Content-Security-Policy): an image on
      // another site is offered as a link, which the viewer chooses to open.
      return artifact.url.startsWith('data:') ? (
        <img className="artifact-image" src={artifact.url} alt={artifact.alt} />
      ) : (
        <p>
          Image on another site:{' '}
          <a href={artifact.url} target="_blank" rel="noopener noreferrer nofollow">
            {artifact.alt} ↗
          </a>
        </p>
      );
    case 'chart':
      return <ArtifactChart artifact={artifact} />;
  }
}

export function ArtifactView({ artifact, footer }: { artifact: StoredArtifact; footer?: React.ReactNode }) {
  const headingId = `artifact-${artifact.id}`;
  return (
    <article className="artifact" aria-labelledby={headingId} data-testid="artifact" data-key={artifact.key} data-kind={artifact.kind}>
      <header className="artifact-head">
        <h3 id={headingId}>{artifact.title}</h3>
        <span className="badge tone-muted">{artifact.kind}</span>
        <span className="faint mono">{artifact.key}</span>
        <span className="spacer" />
        <span className="faint">{artifact.task ? `from task ${artifact.task}` : 'from the flow'}</span>
      </header>
      {artifact.description && <p className="muted">{artifact.description}</p>}
      <Body artifact={artifact} />
      {footer}
    </article>
  );
}
