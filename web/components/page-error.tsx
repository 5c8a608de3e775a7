'use client';

/**
 * Shown when a page could not be read (Temporal away, the store unreachable). Production hides server messages
 * from the browser; the digest matches the server's log line.
 */
export default function PageError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="panel error-page" role="alert">
      <h1>This page could not be loaded</h1>
      <p>
        Sluice could not read what this page shows. The usual cause is that the Temporal server or the store is not
        reachable: check that they run, then try again.
      </p>
      <p className="muted mono">
        {message}
        {digest ? ` (reference ${digest})` : ''}
      </p>
      <button type="button" className="primary" onClick={() => retry()}>
        Try again
      </button>
    </div>
  );
}
