import type { RunFailure } from 'sluice/client';

/** A failure with its readable message first; the cause chain below it; the stack trace behind a click. */
export function FailureView({ failure, recovered = false }: { failure: RunFailure; recovered?: boolean }) {
  const causes = failure.causes.filter((c) => c.message && c.message !== failure.message);
  return (
    <div className={`failure${recovered ? ' recovered' : ''}`} role={recovered ? undefined : 'alert'} data-testid="failure">
      <div className="message">{failure.message || 'The run failed without a message.'}</div>
      {failure.type && <div className="type">{failure.type}</div>}
      {causes.length > 0 && (
        <ul>
          {causes.map((c, i) => (
            <li key={i}>
              caused by: {c.message}
              {c.type && <span className="type"> ({c.type})</span>}
            </li>
          ))}
        </ul>
      )}
      {failure.stack && (
        <details>
          <summary>Stack trace</summary>
          <pre className="block">{failure.stack}</pre>
        </details>
      )}
    </div>
  );
}
