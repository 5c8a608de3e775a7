/**
 * `publish`: results people read on the run page, from a task or a flow. Each artifact has a key (the same in
 * every run, so the flow page shows the latest of each) and a title.
 *
 * @example
 * publish.table('daily-totals', { title: 'Daily rainfall', columns: ['day', 'mm'], rows: [['2025-12-01', 4.2]] });
 * publish.chart('level', { title: 'Reservoir level', chart: 'line', x: steps, series: [{ name: 'level (m)', values }] });
 * publish.markdown('summary', { title: 'Summary', markdown: '**Wettest day**: 1 December, 12.5 mm' });
 * publish.link('report', { title: 'CSV report', url: 'https://files.example.org/rain.csv' });
 * publish.image('map', { title: 'Rainfall map', url: 'data:image/png;base64,…', alt: 'Rainfall over the country' });
 *
 * An artifact travels as a log line ("published table 'daily-totals'") carrying it, so it takes the log's path to
 * the store: batched, spooled, kept as long as the run's lines. What the schema refuses, or what is bigger than
 * 1 MiB as JSON, throws an ArtifactError here, before anything is shipped.
 *
 * Sandbox-safe: in a flow it goes through Temporal's replay-aware workflow logger (so a replay publishes nothing
 * twice); in a task through the logger the worker registers; elsewhere it is checked and printed.
 */
import { inWorkflowContext, log as workflowLog } from '@temporalio/workflow';
import {
  ARTIFACT_KEY,
  artifactMessage,
  parseArtifact,
  type Artifact,
  type ChartArtifact,
  type ImageArtifact,
  type LinkArtifact,
  type MarkdownArtifact,
  type TableArtifact,
} from './artifacts';
import { TASK_LOGGER } from './log';
import { SluiceError } from './errors';

/**
 * Thrown by `publish` for an artifact the schema refuses or that is too big; the message says what and where.
 *
 * @example
 * try { publish.link('report', { title: 'Report', url: 'ftp://example.org/r.csv' }); }
 * catch (e) { if (e instanceof ArtifactError) log.warn(e.message); }
 */
export class ArtifactError extends SluiceError {
  static override readonly code = 'invalid_artifact';
  static override readonly kind = 'bad_request';

  override name = 'ArtifactError';
}

type Cell = string | number | boolean | null;
/**
 * What `publish.<kind>(key, options)` takes for an artifact of type `A`: the artifact less its `kind` and `key`.
 *
 * @example
 * const link: ArtifactOptions<LinkArtifact> = { title: 'CSV report', url: 'https://files.example.org/rain.csv' };
 * publish.link('report', link);
 */
export type ArtifactOptions<A> = Omit<A, 'kind' | 'key'>;

/**
 * What `publish.table(key, options)` takes: rows as arrays in column order, or as objects keyed by column.
 *
 * @example
 * const options: TableOptions = { title: 'Stations', rows: [{ station: 'DeBilt', mm: 4.2 }, { station: 'Eelde', mm: 1.3 }] };
 * publish.table('stations', options);
 */
export interface TableOptions {
  title: string;
  description?: string;
  /** Column names; with rows as objects, default: the keys of the first row. */
  columns?: string[];
  /** Rows as arrays of cells in column order, or as objects keyed by column. Dates become ISO text. */
  rows: (Cell | Date)[][] | Record<string, Cell | Date | undefined>[];
}

/** A task's sink as the worker registers it (sdk/src/worker/task-output.ts). */
type TaskSink = { artifact?: (message: string, artifact: Artifact) => void };

function send<A extends Artifact>(input: Record<string, unknown>): A {
  const parsed = parseArtifact(input);
  if (!parsed.ok) throw new ArtifactError(parsed.error);
  const message = artifactMessage(parsed.artifact);
  if (inWorkflowContext()) {
    // As JSON text made now: Temporal hands log calls to the worker later, by reference.
    workflowLog.info(message, { [ARTIFACT_KEY]: parsed.text });
    return parsed.artifact as A;
  }
  const task = (globalThis as { [TASK_LOGGER]?: () => TaskSink | undefined })[TASK_LOGGER]?.();
  if (task?.artifact) task.artifact(message, parsed.artifact);
  else console.log(message); // outside a worker (a script, a unit test): checked, not stored
  return parsed.artifact as A;
}

const cellOf = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v === undefined ? null : v);

function tableRows(options: TableOptions): { columns: unknown; rows: unknown } {
  const rows = options.rows as unknown[];
  const first = rows[0];
  if (first === undefined || Array.isArray(first)) {
    return { columns: options.columns, rows: rows.map((r) => (Array.isArray(r) ? r.map(cellOf) : r)) };
  }
  const columns = options.columns ?? (typeof first === 'object' && first !== null ? Object.keys(first) : undefined);
  return {
    columns,
    rows: rows.map((r) => (typeof r === 'object' && r !== null && !Array.isArray(r) && Array.isArray(columns) ? columns.map((c) => cellOf((r as Record<string, unknown>)[c])) : r)),
  };
}

/**
 * Results people read on the run page, from a task or a flow: each publishes at once and gives back the artifact as
 * published (a copy: later changes to the rows do not reach it). The key is the same in every run, so the flow
 * page shows the latest of each.
 *
 * @example
 * publish.table('daily-totals', { title: 'Daily rainfall', columns: ['day', 'mm'], rows: [['2025-12-01', 4.2]] });
 * publish.markdown('summary', { title: 'Summary', markdown: '**Wettest day**: 1 December, 12.5 mm' });
 */
export const publish = {
  /** A table: rows and columns (at most 10,000 rows; the page shows it a page at a time and offers it as CSV). */
  table(key: string, options: TableOptions): TableArtifact {
    return send({ ...options, ...tableRows(options), kind: 'table', key });
  },
  /** Markdown text (shown without raw HTML, and without javascript: or other script links). */
  markdown(key: string, options: ArtifactOptions<MarkdownArtifact>): MarkdownArtifact {
    return send({ ...options, kind: 'markdown', key });
  },
  /** A link to an http(s) address. */
  link(key: string, options: ArtifactOptions<LinkArtifact>): LinkArtifact {
    return send({ ...options, kind: 'link', key });
  },
  /** An image: an http(s) address, or a small PNG, JPEG, GIF or WebP as a base64 data: URL. */
  image(key: string, options: ArtifactOptions<ImageArtifact>): ImageArtifact {
    return send({ ...options, kind: 'image', key });
  },
  /** A line or bar chart: one x label per point, and one or more series of values (null: no value there). */
  chart(key: string, options: ArtifactOptions<ChartArtifact>): ChartArtifact {
    return send({ ...options, kind: 'chart', key });
  },
};
