/**
 * The HTTP API's inputs as zod schemas: route handlers parse with them, and the OpenAPI document is
 * generated from the same schemas, so the two cannot disagree.
 */
import { z } from 'zod';
import { LOG_LEVELS, RUN_STATUSES } from 'sluice/types';
import { TASKS_PER_PAGE } from '@/lib/run-presenter';
import { openPageToken } from './page-token';

// Control characters (NUL, line breaks …) are in no flow, deployment or user name, and Temporal's
// visibility queries and PostgreSQL refuse NUL: refused here, named, rather than failing further in.
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
const noControl = 'must not contain control characters (such as NUL or a line break)';
const name = z.string().trim().min(1, 'must not be empty').max(200, 'is too long').regex(NO_CONTROL, noControl);
// Only the "not a number" message is ours; range checks keep their own.
const number = () => z.coerce.number({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a number' : undefined) });
const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with a zone, e.g. 2025-01-31T08:00:00Z' });

/** A run id as Temporal makes them (a UUID); anything else Temporal refuses as an invalid argument. */
const runId = z.guid('must be a run id: a UUID such as 0193a1e2-7c4d-7e8f-9a0b-1c2d3e4f5a6b');

/** /api/runs/{workflowId}…: Temporal's default limit for an id is 1000 bytes. */
export const runPath = z.object({
  workflowId: z.string().min(1, 'must not be empty').max(1000, 'is longer than 1000 characters').regex(NO_CONTROL, noControl).describe('The run\'s workflow id.'),
});

/** /api/ui/runs/{workflowId}/{runId}/logs…: the run page's log feed. */
export const uiRunPath = runPath.extend({ runId });

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
    parameters: z.unknown().optional().describe("The flow's parameters (checked against its schema); an object."),
  })
  .strict()
  .superRefine((body, ctx) => {
    const p = body.parameters;
    if (p !== undefined && (p === null || typeof p !== 'object' || Array.isArray(p))) {
      ctx.addIssue({ code: 'custom', path: ['parameters'], message: 'must be a JSON object of parameter names to values' });
    }
  });

/** GET /api/runs */
export const listRunsQuery = z
  .object({
    flow: name.optional(),
    deployment: name.optional(),
    status: z.enum(RUN_STATUSES as [string, ...string[]], { error: `must be one of ${RUN_STATUSES.join(', ')}` }).optional(),
    startedBy: name.optional().describe('e.g. user:alice@example.org, token:etl-script, schedule:flow:deployment'),
    after: isoTime.optional().describe('Runs started at or after this time.'),
    before: isoTime.optional().describe('Runs started before this time.'),
    pageSize: number().int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').default(50),
    pageToken: z
      .string()
      .max(4000, 'is too long to be a page token')
      .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be the nextPageToken of the previous page, unchanged')
      .transform((sealed, ctx) => {
        const token = openPageToken(sealed);
        if (token === null) ctx.addIssue({ code: 'custom', message: 'was not handed out by this server: pass back the nextPageToken of the previous page unchanged' });
        return token ?? z.NEVER;
      })
      .optional()
      .describe('`nextPageToken` of the previous page.'),
  })
  .strict();

/** GET /api/runs/{workflowId} */
export const getRunQuery = z
  .object({ runId: runId.optional().describe('A specific run of this workflow id; default the latest.') })
  .strict();

/** GET /api/runs/{workflowId}/logs */
export const logsQuery = z
  .object({
    runId: runId.optional().describe('Default: the latest run of this workflow id.'),
    afterId: number().int('must be a whole number').min(0, 'must be 0 or more').optional().describe('Only lines after this id (`nextAfterId` of the previous page).'),
    minLevel: z.enum(LOG_LEVELS as [string, ...string[]], { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
    search: z.string().min(1).max(500).optional().describe('Case-insensitive text in the message or fields.'),
    limit: number().int('must be a whole number').min(1, 'must be at least 1').max(5000, 'must be at most 5000').default(1000),
  })
  .strict();

/** Query strings arrive as text; repeated keys are refused rather than silently dropped. */
export function queryObject(url: URL): { query: Record<string, string>; duplicate: string | null } {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key in query) return { query, duplicate: key };
    query[key] = value;
  }
  return { query, duplicate: null };
}
