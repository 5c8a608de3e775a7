/**
 * The HTTP API's inputs as zod schemas: route handlers parse with them, and the OpenAPI document is
 * generated from the same schemas, so the two cannot disagree.
 */
import { z } from 'zod';
import { LOG_LEVELS, RUN_STATUSES } from 'sluice/internal/types';
import { TASKS_PER_PAGE } from '@/lib/run-presenter';
import { BULK_ACTIONS, MAX_BULK_RUNS } from '@/lib/run-actions';
import { MAX_BACKFILL_RUNNING } from 'sluice/client';
import { PAGE_TOKEN } from './page-token';

// Control characters (NUL, line breaks …) are in no flow, deployment or user name, and Temporal's
// visibility queries and PostgreSQL refuse NUL: refused here, named, rather than failing further in.
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
const noControl = 'must not contain control characters (such as NUL or a line break)';
/**
 * Text of at most `max` characters counted as the OpenAPI document's maxLength counts them, in code points (an emoji
 * is one character; zod's max() would count it as two).
 */
const upTo = (max: number, tooLong: string) => z.string().refine((v) => [...v].length <= max, tooLong).meta({ maxLength: max });
// Not trimmed: the document's minLength counts the text as sent, and a name with spaces around it is simply unknown.
const name = upTo(200, 'is too long').min(1, 'must not be empty').regex(NO_CONTROL, noControl);
// NUL alone, where other control characters are fine (a search text may hold a tab).
const NO_NUL = /^[^\u0000]*$/;
const noNul = 'must not contain a NUL character (%00)';
/**
 * A whole number in a query string, in digits. Only that: '' (which Number() reads as 0), ' 5', '0x10' and '1e3'
 * are refused, as the OpenAPI document's `type: integer` says. Range checks keep their own messages.
 */
const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(
    (v) => (typeof v === 'string' && !/^-?\d+(\.\d+)?$/.test(v) ? Number.NaN : v),
    z.coerce
      .number({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a whole number in digits, e.g. 42' : undefined) })
      .int('must be a whole number')
      .min(min, min === 0 ? 'must be 0 or more' : `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );
const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with a zone, e.g. 2025-01-31T08:00:00Z' });

/** A run id as Temporal makes them (a UUID); anything else Temporal refuses as an invalid argument. */
const runId = z.guid('must be a run id: a UUID such as 0193a1e2-7c4d-7e8f-9a0b-1c2d3e4f5a6b');

/** /api/runs/{workflowId}…: Temporal's default limit for an id is 1000 bytes. */
export const runPath = z.object({
  workflowId: upTo(1000, 'is longer than 1000 characters').min(1, 'must not be empty').regex(NO_CONTROL, noControl).describe('The run\'s workflow id.'),
});

/** /api/ui/runs/{workflowId}/{runId}/logs…: the run page's log feed. */
export const uiRunPath = runPath.extend({ runId });

/** POST /api/triggers/{name}: the name of an http trigger declared on a deployment. */
export const triggerPath = z.object({ name: name.describe('The trigger\'s name, as declared: { http: \'file-arrived\' }.') });
/** Its body: the run's parameters, over the deployment's own. */
export const triggerBody = z.strictObject({
  parameters: z.record(z.string(), z.unknown()).optional().describe('Parameters of the run, over those the deployment declares; checked against the flow\'s schema.'),
  // In the signed body, not a header: a captured call replayed within the signature's 5 minutes cannot change it.
  idempotencyKey: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'use 1 to 128 letters, digits and . _ : -')
    .optional()
    .describe('One run per key: a second call with the same key starts nothing and answers 200 with the run the first started (e.g. the file\'s name).'),
});

/** GET /api/ui/runs/{workflowId}/{runId}/progress?activityIds=1,2: the run page's live task progress. */
export const uiProgressQuery = z
  .object({
    activityIds: z
      .string()
      .max(20_000, 'is too long')
      .transform((list) => list.split(','))
      .pipe(
        z
          .array(z.string().min(1, 'must not hold an empty id (two commas in a row?)').max(200, 'must hold ids of at most 200 characters'))
          .max(TASKS_PER_PAGE, `must list at most ${TASKS_PER_PAGE} ids (the tasks of one page)`),
      )
      .describe('Comma-separated activity ids of the tasks whose progress to read.'),
  })
  .strict();

/** POST /api/runs: a run of a flow with parameters, or of a deployment (its parameters, some overridden). */
export const startRunBody = z
  .object({
    flow: name.describe('The flow to run.'),
    deployment: name.optional().describe("Run this deployment of the flow: its parameters, with `parameters` overriding some."),
    parameters: z
      .record(z.string(), z.unknown(), { error: 'must be a JSON object of parameter names to values' })
      .optional()
      .describe("The flow's parameters, checked against its schema (422 when they fail it)."),
  })
  .strict();

/** GET /api/runs */
export const listRunsQuery = z
  .object({
    flow: name.optional(),
    deployment: name.optional(),
    status: z.enum(RUN_STATUSES as [string, ...string[]], { error: `must be one of ${RUN_STATUSES.join(', ')}` }).optional(),
    startedBy: name.optional().describe('e.g. user:alice@example.org, token:etl-script, schedule:flow:deployment'),
    waiting: z
      .enum(['input', 'slot'], { error: 'must be input (runs waiting for a person\'s answer) or slot (runs waiting for a slot of a concurrency or rate limit)' })
      .optional()
      .describe('`input`: only running runs that wait for a person\'s answer; `slot`: only running runs that wait for a slot of a concurrency or rate limit.'),
    after: isoTime.optional().describe('Runs started at or after this time.'),
    before: isoTime.optional().describe('Runs started before this time.'),
    pageSize: wholeNumber(1, 500).default(50),
    // Only its shape can be checked here; one of that shape that this server did not hand out is a page that does
    // not exist (404, see the route), as a well-formed run id that names no run is.
    pageToken: z
      .string()
      .max(4000, 'is too long to be a page token')
      .regex(PAGE_TOKEN, 'must be the nextPageToken of the previous page, unchanged')
      .optional()
      .describe('`nextPageToken` of the previous page, unchanged (one this server did not hand out: 404).'),
  })
  .strict();

/** The filters of GET /api/runs, without paging: what "all runs matching this filter" means. */
const runFilter = listRunsQuery.omit({ pageSize: true, pageToken: true });

/** POST /api/run-actions: cancel or re-run the listed runs, or all runs matching a filter. */
export const runActionsBody = z
  .object({
    action: z.enum(BULK_ACTIONS, { error: `must be one of ${BULK_ACTIONS.join(', ')}` }).describe('What to do to each run.'),
    runs: z
      .array(z.object({ workflowId: runPath.shape.workflowId, runId }).strict())
      .min(1, 'must list at least one run')
      .max(MAX_BULK_RUNS, `must list at most ${MAX_BULK_RUNS} runs`)
      .optional()
      .describe('The runs, by workflowId and runId.'),
    filter: runFilter.optional().describe(`Every run matching these filters (as GET /api/runs takes them); more than ${MAX_BULK_RUNS}: 400, nothing done.`),
    expect: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(MAX_BULK_RUNS, `must be at most ${MAX_BULK_RUNS}`)
      .optional()
      .describe('With filter, required: how many runs you expect it to match (as the runs list or GET /api/runs counted them). Another number: 409, nothing done.'),
  })
  .strict()
  .refine((b) => (b.runs === undefined) !== (b.filter === undefined), { message: 'give either runs or filter, not both and not neither', path: ['runs'] })
  .refine((b) => b.filter === undefined || b.expect !== undefined, { message: 'is required with filter: the number of runs you expect the filter to match', path: ['expect'] });

const dateOrTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'must be a date (2026-01-31) or an ISO 8601 time with a zone (2026-01-31T06:00:00Z)' });

/** POST /api/backfills: preview or start a backfill of a deployment over a past range. */
export const backfillBody = z
  .object({
    flow: name.describe('The flow.'),
    deployment: name.describe('Its deployment, whose schedule gives the slots.'),
    from: dateOrTime.describe('The range\'s start; a date is that day\'s start (UTC).'),
    to: dateOrTime.describe('The range\'s end, included; a date is that day\'s end (UTC). Not in the future.'),
    maxRunning: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_BACKFILL_RUNNING, `must be at most ${MAX_BACKFILL_RUNNING}`)
      .optional()
      .describe("Most of its runs at once (default 1); a deployment whose overlap is not allowAll runs one at a time."),
    preview: z.boolean({ error: 'must be true or false' }).optional().describe('true: only say how many runs it would make; nothing starts.'),
  })
  .strict();

/** GET /api/backfills */
export const listBackfillsQuery = z.object({ flow: name, deployment: name }).strict();

/** /api/backfills/{id} */
export const backfillPath = z.object({ id: runPath.shape.workflowId.describe("The backfill's id.") });

/** GET /api/runs/{workflowId} */
export const getRunQuery = z
  .object({ runId: runId.optional().describe('A specific run of this workflow id; default the latest.') })
  .strict();

/** POST /api/runs/{workflowId}/question: the answer to the question the run waits on. */
export const answerBody = z
  .object({
    runId: runId.optional().describe('A specific run of this workflow id; default the latest.'),
    question: z.string().regex(/^q\d{1,6}$/, 'must be a question id such as q1').optional().describe('The question answered (`id` from GET); default the open one. Another one than the open one: 409.'),
    answer: z.unknown().refine((v) => v !== undefined, 'is missing').describe("The answer, checked against the question's schema (400 with the issues when it fails it)."),
  })
  .strict();

/** GET /api/runs/{workflowId}/logs */
export const logsQuery = z
  .object({
    runId: runId.optional().describe('Default: the latest run of this workflow id.'),
    afterId: wholeNumber(0).optional().describe('Only lines after this id (`nextAfterId` of the previous page).'),
    minLevel: z.enum(LOG_LEVELS as [string, ...string[]], { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
    search: upTo(500, 'is longer than 500 characters').min(1, 'must not be empty').regex(NO_NUL, noNul).optional().describe('Case-insensitive text in the message or fields.'),
    limit: wholeNumber(1, 5000).default(1000),
  })
  .strict();

/** GET /api/runs/{workflowId}/artifacts */
export const artifactsQuery = z
  .object({
    runId: runId.optional().describe('Default: the latest run of this workflow id.'),
    afterId: wholeNumber(0).optional().describe('Only artifacts after this id (`nextAfterId` of the previous page).'),
    limit: wholeNumber(1, 100).default(100),
  })
  .strict();

/** GET /api/ui/runs/{workflowId}/{runId}/artifacts?afterId=: the run page's live artifacts. */
export const uiArtifactsQuery = z.object({ afterId: wholeNumber(0).optional() }).strict();

/** /api/ui/runs/{workflowId}/{runId}/artifacts/{artifactId}/csv: a table artifact as CSV. */
export const uiArtifactPath = uiRunPath.extend({ artifactId: wholeNumber(1) });

/** Query strings arrive as text; repeated keys are refused rather than silently dropped. */
export function queryObject(url: URL): { query: Record<string, string>; duplicate: string | null } {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key in query) return { query, duplicate: key };
    query[key] = value;
  }
  return { query, duplicate: null };
}
