/**
 * Artifacts: results people read on the run page — a table, markdown, a link, an image, a chart — each with a
 * key (the same key in every run of a flow, so the flow page can show the latest) and a title. This is the ONE
 * schema of an artifact: `publish` checks with it before anything is shipped, the store checks what reaches it
 * with it (a worker is a client), and the web app reads the shapes from it.
 *
 * Sandbox- and browser-safe (flows publish through it; the web app's client components import its types).
 *
 * @example
 * parseArtifact({ kind: 'link', key: 'source-data', title: 'Source data', url: 'https://example.org/rain.csv' })
 * // → { ok: true, artifact, text }   or   { ok: false, error: "artifact 'source-data': url must be …" }
 */
import { z } from 'zod';

/** Most bytes of an artifact as JSON text (UTF-8): a result to read, not a data set to store. */
export const MAX_ARTIFACT_BYTES = 1024 * 1024;
/** Most rows of a table artifact; the page shows them a page at a time, the CSV download has them all. */
export const MAX_TABLE_ROWS = 10_000;
export const MAX_TABLE_COLUMNS = 100;
/** Most series of a chart, and points per series. */
export const MAX_CHART_SERIES = 20;
export const MAX_CHART_POINTS = 10_000;

export const ARTIFACT_KINDS = ['table', 'markdown', 'link', 'image', 'chart'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** The log record metadata key a flow's artifact crosses the sandbox under, as JSON text made when it published. */
export const ARTIFACT_KEY = 'sluiceArtifact';

const KEY = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const HTTP_URL = /^https?:\/\/[^\s]+$/i;
// Raster images only: an SVG may carry script (harmless in <img>, but not worth the doubt).
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*$/;

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const common = {
  key: z
    .string()
    .max(100, 'must be at most 100 characters')
    .regex(KEY, "must be lowercase letters, digits and single dashes, e.g. 'daily-totals'"),
  title: text(200).trim().min(1, 'must not be empty'),
  description: text(2000).optional(),
};

const cell = z.union([z.string(), z.number().finite(), z.boolean(), z.null()], {
  error: 'must be text, a finite number, true, false or null',
});

const table = z
  .object({
    kind: z.literal('table'),
    ...common,
    columns: z.array(text(200)).min(1, 'must name at least one column').max(MAX_TABLE_COLUMNS, `must be at most ${MAX_TABLE_COLUMNS} columns`),
    rows: z.array(z.array(cell)).max(MAX_TABLE_ROWS, `must be at most ${MAX_TABLE_ROWS} rows (publish a summary, or a link to the full data)`),
  })
  .superRefine((t, ctx) => {
    const i = t.rows.findIndex((row) => row.length !== t.columns.length);
    if (i >= 0) ctx.addIssue({ code: 'custom', path: ['rows', i], message: `has ${t.rows[i]!.length} cells, but there are ${t.columns.length} columns` });
  });

const markdown = z.object({ kind: z.literal('markdown'), ...common, markdown: z.string() });

const link = z.object({
  kind: z.literal('link'),
  ...common,
  url: text(2000).regex(HTTP_URL, 'must be an http:// or https:// address'),
  text: text(500).optional(),
});

const image = z.object({
  kind: z.literal('image'),
  ...common,
  url: z
    .string()
    .refine((u) => HTTP_URL.test(u) || DATA_IMAGE.test(u), 'must be an http(s):// address or a base64 data:image/png, jpeg, gif or webp URL'),
  /** What the image shows, for people who cannot see it. */
  alt: text(500).trim().min(1, 'must say what the image shows'),
});

const point = z.number().finite().nullable();
const chart = z
  .object({
    kind: z.literal('chart'),
    ...common,
    chart: z.enum(['line', 'bar'], { error: "must be 'line' or 'bar'" }),
    /** The x-axis: one label (a day, a step, a station) per point. */
    x: z.array(z.union([text(100), z.number().finite()])).min(1, 'must have at least one point').max(MAX_CHART_POINTS, `must be at most ${MAX_CHART_POINTS} points`),
    xLabel: text(100).optional(),
    yLabel: text(100).optional(),
    series: z
      .array(z.object({ name: text(100).trim().min(1, 'must not be empty'), values: z.array(point) }))
      .min(1, 'must have at least one series')
      .max(MAX_CHART_SERIES, `must be at most ${MAX_CHART_SERIES} series`),
  })
  .superRefine((c, ctx) => {
    const i = c.series.findIndex((s) => s.values.length !== c.x.length);
    if (i >= 0) ctx.addIssue({ code: 'custom', path: ['series', i, 'values'], message: `has ${c.series[i]!.values.length} values, but x has ${c.x.length}` });
  });

/** The one schema of an artifact, by `kind`. */
export const artifactSchema = z.discriminatedUnion('kind', [table, markdown, link, image, chart], {
  error: `kind must be one of ${ARTIFACT_KINDS.join(', ')}`,
});

/**
 * An artifact as published: one of the five kinds below, with its `kind`, `key` and `title`.
 *
 * @example
 * const published: Artifact = publish.markdown('summary', { title: 'Summary', markdown: '**Wettest day**: 1 December' });
 */
export type Artifact = z.output<typeof artifactSchema>;
/**
 * A table artifact (`publish.table`): columns and rows, at most 10,000 rows.
 *
 * @example
 * const totals: TableArtifact = publish.table('daily-totals', { title: 'Daily rainfall', columns: ['day', 'mm'], rows: [['2025-12-01', 4.2]] });
 */
export type TableArtifact = z.output<typeof table>;
/**
 * A markdown artifact (`publish.markdown`), shown without raw HTML or script links.
 *
 * @example
 * const summary: MarkdownArtifact = publish.markdown('summary', { title: 'Summary', markdown: '**Wettest day**: 1 December' });
 */
export type MarkdownArtifact = z.output<typeof markdown>;
/**
 * A link artifact (`publish.link`).
 *
 * @example
 * const report: LinkArtifact = publish.link('report', { title: 'CSV report', url: 'https://files.example.org/rain.csv' });
 */
export type LinkArtifact = z.output<typeof link>;
/**
 * An image artifact (`publish.image`): an https or data: URL and its alt text.
 *
 * @example
 * const map: ImageArtifact = publish.image('map', { title: 'Rainfall map', url: 'data:image/png;base64,…', alt: 'Rainfall over the country' });
 */
export type ImageArtifact = z.output<typeof image>;
/**
 * A chart artifact (`publish.chart`): line, bar or scatter, up to 20 series.
 *
 * @example
 * const level: ChartArtifact = publish.chart('level', { title: 'Reservoir level', chart: 'line', x: steps, series: [{ name: 'level (m)', values }] });
 */
export type ChartArtifact = z.output<typeof chart>;

/** An artifact as the store keeps it and the web app and API give it back. */
export type StoredArtifact = Artifact & {
  id: number;
  /** Epoch milliseconds of the publish call. */
  time: number;
  workflowId: string;
  runId: string;
  flow: string | null;
  /** The task that published it; null when the flow itself did. */
  task: string | null;
};

/** UTF-8 bytes of a string (no TextEncoder: this module runs in the flow sandbox too). */
export function utf8Bytes(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) (bytes += 4), i++;
    else bytes += 3;
  }
  return bytes;
}

export type ParsedArtifact = { ok: true; artifact: Artifact; text: string } | { ok: false; error: string };

/**
 * Checks an artifact against the schema and the size bound; on success gives a fresh copy (later changes to the
 * caller's rows do not reach it) and its JSON text. The error names the artifact, the field and what is wrong.
 */
export function parseArtifact(input: unknown): ParsedArtifact {
  const named = (input as { key?: unknown; kind?: unknown } | null) ?? {};
  const what = `${typeof named.kind === 'string' ? named.kind : 'artifact'}${typeof named.key === 'string' ? ` '${named.key}'` : ''}`;
  const parsed = artifactSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : 'it';
    return { ok: false, error: `Cannot publish ${what}: ${at} ${issue.message}.` };
  }
  const text = JSON.stringify(parsed.data);
  const bytes = utf8Bytes(text);
  if (bytes > MAX_ARTIFACT_BYTES) {
    return {
      ok: false,
      error: `Cannot publish ${what}: it is ${bytes} bytes as JSON, more than the ${MAX_ARTIFACT_BYTES} bytes (1 MiB) an artifact may hold. Publish a summary, or a link to the full data.`,
    };
  }
  return { ok: true, artifact: parsed.data, text };
}

/** The log line that says an artifact was published, e.g. "published table 'daily-totals'". */
export function artifactMessage(artifact: Pick<Artifact, 'kind' | 'key'>): string {
  return `published ${artifact.kind} '${artifact.key}'`;
}
