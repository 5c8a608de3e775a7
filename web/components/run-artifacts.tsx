'use client';

/**
 * A run's artifacts, in the order they were published (by time), live: while the run is running it asks for newer ones
 * every two seconds (as the log viewer tails lines), and once more after it stopped, for the last ones.
 */
import { useEffect, useRef, useState } from 'react';
import type { StoredArtifact } from 'sluice/internal/types';
import { ArtifactView } from './artifact-view';

const POLL_MS = 2000;

/**
 * In the order they were published. Ids grow in the order artifacts reached the store, which is not quite that: a
 * flow's lines reach its worker's logger after the workflow task that wrote them, a task's at once.
 */
const publishedFirst = (a: StoredArtifact, b: StoredArtifact) => a.time - b.time || a.id - b.id;

export function RunArtifacts({ workflowId, runId, running }: { workflowId: string; runId: string; running: boolean }) {
  const base = `/api/ui/runs/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/artifacts`;
  const [artifacts, setArtifacts] = useState<StoredArtifact[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const lastId = useRef(0);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const res = await fetch(`${base}?afterId=${lastId.current}`, { cache: 'no-store', headers: { accept: 'application/json' } });
        const body = (await res.json().catch(() => null)) as { artifacts?: StoredArtifact[]; error?: { message?: string } } | null;
        if (!res.ok || !body?.artifacts) throw new Error(body?.error?.message ?? `The artifacts feed answered ${res.status}.`);
        if (stopped) return;
        const fresh = body.artifacts.filter((a) => a.id > lastId.current);
        if (fresh.length) {
          lastId.current = fresh[fresh.length - 1]!.id;
          setArtifacts((current) => current.concat(fresh).sort(publishedFirst));
        }
        setError(null);
        // A full page may have more behind it.
        if (body.artifacts.length >= 100) timer = setTimeout(read, 0);
        else if (running) timer = setTimeout(read, POLL_MS);
      } catch (err) {
        if (stopped) return;
        setError((err as Error).message);
        if (running) timer = setTimeout(read, POLL_MS);
      } finally {
        if (!stopped) setLoaded(true);
      }
    };
    read();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [base, running]);

  return (
    <div data-testid="run-artifacts" data-loaded={loaded ? 'true' : undefined}>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      {loaded && artifacts.length === 0 && !error && (
        <div className="empty">{running ? 'Nothing published yet: tables, charts and notes the run publishes appear here.' : 'This run published nothing.'}</div>
      )}
      {artifacts.map((a) => (
        <ArtifactView key={a.id} artifact={a} />
      ))}
    </div>
  );
}
