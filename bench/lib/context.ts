/** What bench/run.ts gives every benchmark: one Temporal dev server and a temporary directory for the run. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';

export interface BenchContext {
  /** Frontend of the run's own Temporal dev server, `127.0.0.1:PORT` (namespace `default`). */
  address: string;
  /** The run's temporary directory (deleted at the end). */
  tmpDir: string;
  /** Repetitions asked for with --reps, if any (each benchmark has its own default). */
  reps?: number;
  /** --baseline=DIR: another checkout of Sluice, built, that `versus` measures this tree against. */
  baseline?: string;
  /** Progress lines, to stderr. */
  say(line: string): void;
}

/** A fresh SQLite store file in the run's temporary directory: `sqlite:/…/sluice.db`. */
export function freshSqliteUrl(ctx: BenchContext, name: string): string {
  return `sqlite:${path.join(mkdtempSync(path.join(ctx.tmpDir, `${name}-`)), 'sluice.db')}`;
}

/** A task queue or workflow id no other run of this bench uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
