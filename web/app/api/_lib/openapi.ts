/**
 * The OpenAPI 3.1 document of the HTTP API, served at /api/openapi.json. Inputs come from the same zod
 * schemas the handlers parse with, and a run's body from the flow catalog (start-run-schema.ts); responses are
 * described here by hand.
 */
import { z } from 'zod';
import { artifactSchema, LOG_LEVELS, RUN_STATUSES } from 'sluice/internal/types';
import { helloAnswer, WORKER_HEADER, WORKER_HEADER_PATTERN, workerHeaderValue } from 'sluice/internal/compat';
import { flowsResponse, logsRequest, logsResponse, MAX_LINES_PER_BATCH, publishFlowsRequest, publishFlowsResponse, publishTasksRequest, publishTasksResponse, queueQuery, replayFindingsRequest, replayFindingsResponse, tasksResponse } from 'sluice/internal/worker-api';
import { MAX_BODY_BYTES, MAX_BODY_DEPTH } from './json-body';
import type { FlowEntry } from 'sluice/internal/store';
import { answerBody, artifactsQuery, backfillBody, backfillPath, getRunQuery, listBackfillsQuery, listRunsQuery, logsQuery, runActionsBody, runPath, startRunBody, triggerBody, triggerPath } from './schemas';
import { SIGNATURE_HEADER } from 'sluice/internal/notify';
import { MAX_BULK_RUNS } from '@/lib/run-actions';
import { MAX_BACKFILL_SLOTS } from 'sluice/client';
import { startRunBody as catalogBody } from './start-run-schema';

type Json = Record<string, unknown>;

function inputSchema(schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete json.$schema;
  return json;
}

function outputSchema(schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Json;
  delete json.$schema;
  return json;
}

/** Query (or path) parameters of an object schema, one OpenAPI parameter each. */
function queryParameters(schema: z.ZodType, where: 'query' | 'path' = 'query'): Json[] {
  const json = inputSchema(schema) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: where, required: where === 'path' || (json.required?.includes(name) ?? false), ...(description ? { description } : {}), schema: rest };
  });
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ 'application/json': { schema } });

/** The `Sluice-Worker` header a worker declares itself with (sluice/internal/compat): required on hello, judged wherever sent. */
const workerHeader = (required: boolean) => ({
  name: WORKER_HEADER,
  in: 'header',
  required,
  description: "The worker's Sluice version and worker protocol.",
  schema: { type: 'string', pattern: WORKER_HEADER_PATTERN.source, example: workerHeaderValue() },
});
// Every operation may also answer 431 (Node's own, bodiless: request line and headers over 16 KiB) and 503.
const errors = (...statuses: number[]) =>
  Object.fromEntries([...statuses, 431, 503].map((s) => [String(s), { $ref: `#/components/responses/E${s}` }]));
const pathParameters = queryParameters(runPath, 'path');

const failure = {
  type: ['object', 'null'],
  description: 'Why the run or task failed: the readable message first (stack traces are not sent).',
  properties: {
    message: { type: 'string' },
    type: { type: ['string', 'null'] },
    causes: { type: 'array', items: { type: 'object', properties: { message: { type: 'string' }, type: { type: ['string', 'null'] } } } },
  },
};

/** The document for callers of `serverUrl`, with the flows in `flows` (the store's catalog) as they can start now. */
export function openApiDocument(serverUrl: string, flows: FlowEntry[]): Json {
  const body = catalogBody(flows, inputSchema(startRunBody));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sluice HTTP API',
      version: '1',
      description:
        'Start runs of flows and deployments, and read runs and their logs. Authenticate with an API token an admin ' +
        'created (Authorization: Bearer slc_…); viewers read, operators also start runs. Errors are ' +
        '`{ "error": { "code", "message", "issues"? } }` with status 400 (bad input), 401 (no or bad token), ' +
        '403 (role too low), 404 (unknown flow, deployment, run, or a page token this server did not hand out), ' +
        '405 (a method the route does not serve; `Allow` lists those it does), ' +
        `409 (the flow is gone: no task queue serves it any more), 413 (a body over ${MAX_BODY_BYTES} bytes), ` +
        '415 (a body not sent as `Content-Type: application/json`), 422 (parameters fail the flow\'s schema), ' +
        '503 (the store or Temporal is not answering: try again shortly). A path segment that is not valid percent-encoded ' +
        'UTF-8 is refused (400); a request line and headers over 16 KiB get Node\'s bodiless 431. ' +
        'A request body must be JSON sent as `Content-Type: application/json` (token or session alike), at most ' +
        `${MAX_BODY_BYTES} bytes (1 MiB), with arrays and objects nested at most ${MAX_BODY_DEPTH} deep (deeper: 400). ` +
        'Text must not contain NUL characters (400). A refused request never starts a run.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      '/api/runs': {
        get: {
          summary: 'List runs, newest first',
          operationId: 'listRuns',
          parameters: queryParameters(listRunsQuery),
          responses: { '200': { description: 'A page of runs', content: json(ref('RunPage')) }, ...errors(400, 401, 403, 404) },
        },
        post: {
          summary: 'Start a run of a flow, or of a deployment',
          operationId: 'startRun',
          description:
            'Needs the operator role. The body must be `Content-Type: application/json` (415 otherwise), at most ' +
            `${MAX_BODY_BYTES} bytes (413) and nested at most ${MAX_BODY_DEPTH} deep (400). The parameters are checked against the flow's ` +
            'schema first: nothing starts on bad input (422). The body schema lists the flows that can start now, each ' +
            'with its own parameters (GET /api/flows has them too); it is read from the catalog when this document is.',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: body.body,
                ...(Object.keys(body.examples).length > 0 ? { examples: body.examples } : {}),
              },
            },
          },
          responses: { '201': { description: 'Started', content: json(ref('StartedRun')) }, ...errors(400, 401, 403, 404, 409, 413, 415, 422) },
        },
      },
      '/api/runs/{workflowId}': {
        get: {
          summary: 'A run: status, parameters, result or failure, tasks',
          operationId: 'getRun',
          parameters: [...pathParameters, ...queryParameters(getRunQuery)],
          responses: { '200': { description: 'The run', content: json(ref('Run')) }, ...errors(400, 401, 403, 404) },
        },
      },
      '/api/runs/{workflowId}/logs': {
        get: {
          summary: "A run's log lines, oldest first",
          operationId: 'getRunLogs',
          description: 'Page forwards with afterId=nextAfterId until nextAfterId is null; poll the same way to follow a running run.',
          parameters: [...pathParameters, ...queryParameters(logsQuery)],
          responses: { '200': { description: 'Log lines', content: json(ref('LogPage')) }, ...errors(400, 401, 403, 404) },
        },
      },
      '/api/runs/{workflowId}/question': {
        get: {
          summary: 'What the run asks people (a flow that called ask()): the open question, and those answered before',
          operationId: 'getRunQuestion',
          parameters: [...pathParameters, ...queryParameters(getRunQuery)],
          responses: { '200': { description: 'The questions', content: json(ref('RunQuestions')) }, ...errors(400, 401, 403, 404) },
        },
        post: {
          summary: 'Answer the question the run waits on (operator); the run continues with the answer',
          operationId: 'answerRunQuestion',
          description:
            "The answer is checked against the question's schema, as a run's parameters are (400 `invalid_answer` with `issues` when it fails it; the run keeps waiting). " +
            'Who answers (`user:…` or `token:…`) is recorded with the answer in the run\'s history.',
          parameters: pathParameters,
          // zod's unknown() may be absent in JSON Schema's eyes; the body's refine() demands it.
          requestBody: { required: true, content: json({ ...inputSchema(answerBody), required: ['answer'] }) },
          responses: {
            '200': { description: 'Answered', content: json({ type: 'object', properties: { workflowId: { type: 'string' }, question: ref('Question') } }) },
            '409': { description: 'The run waits for no answer now (answered, timed out, ended), or not for this question.', content: json(ref('Error')) },
            ...errors(400, 401, 403, 404, 413, 415, 503),
          },
        },
      },
      '/api/runs/{workflowId}/artifacts': {
        get: {
          summary: 'What a run published (tables, markdown, links, images, charts)',
          operationId: 'getRunArtifacts',
          description:
            'In the order they reached the store (by id): page forwards with afterId=nextAfterId until nextAfterId is null; poll the same way ' +
            "to follow a running run. Sort by `time` for the order they were published (a flow's reach the store after its tasks' of the same moment).",
          parameters: [...pathParameters, ...queryParameters(artifactsQuery)],
          responses: { '200': { description: 'Artifacts', content: json(ref('ArtifactPage')) }, ...errors(400, 401, 403, 404) },
        },
      },
      '/api/run-actions': {
        post: {
          summary: 'Cancel or re-run several runs: the listed ones, or all matching a filter',
          operationId: 'actOnRuns',
          description:
            `Needs the operator role. Give either \`runs\` (at most ${MAX_BULK_RUNS}) or \`filter\` (the filters of GET /api/runs; more than ${MAX_BULK_RUNS} matching runs: 400, nothing done) with \`expect\`, the number of runs you confirm it matches (another number: 409, nothing done). ` +
            'Each run gets its own result: one that had ended is not cancelled, and says so, without stopping the others. A re-run starts the run\'s flow again with the same parameters.',
          // Either the runs or a filter with the count it is expected to match: what the body schema's refinements say.
          requestBody: {
            required: true,
            content: json({
              ...inputSchema(runActionsBody),
              oneOf: [
                { required: ['runs'], not: { required: ['filter'] } },
                { required: ['filter', 'expect'], not: { required: ['runs'] } },
              ],
            }),
          },
          responses: { '200': { description: 'A result per run', content: json(ref('RunActionResults')) }, ...errors(400, 401, 403, 409, 413, 415) },
        },
      },
      '/api/backfills': {
        get: {
          summary: "A deployment's newest backfills, with their progress",
          operationId: 'listBackfills',
          parameters: queryParameters(listBackfillsQuery),
          responses: { '200': { description: 'Backfills, newest first', content: json({ type: 'object', properties: { backfills: { type: 'array', items: ref('Backfill') } } }) }, ...errors(400, 401, 403) },
        },
        post: {
          summary: 'Preview or start a backfill: one run of the deployment per slot of its schedule in a past range',
          operationId: 'backfill',
          description:
            `Needs the operator role. \`preview: true\` only counts the runs it would make (200); otherwise it starts (201). A reversed range, one that ends in the future, no slot, more than ${MAX_BACKFILL_SLOTS} slots or a deployment without a schedule: 400, nothing started. ` +
            'Each run reads its slot with scheduledTime() in the flow, as a scheduled run does. A deployment whose overlap is not allowAll runs its slots one at a time; otherwise at most maxRunning at once.',
          requestBody: { required: true, content: json(inputSchema(backfillBody)) },
          responses: {
            '200': { description: 'The preview; nothing started', content: json(ref('BackfillPreview')) },
            '201': { description: 'Started', content: json({ allOf: [ref('BackfillPreview'), { type: 'object', properties: { id: { type: 'string' }, api: { type: 'string' } } }] }) },
            ...errors(400, 401, 403, 404, 409, 413, 415),
          },
        },
      },
      '/api/backfills/{id}': {
        get: {
          summary: "A backfill's progress: its runs by status, n of m done",
          operationId: 'getBackfill',
          parameters: queryParameters(backfillPath, 'path'),
          responses: { '200': { description: 'The backfill', content: json(ref('Backfill')) }, ...errors(400, 401, 403, 404) },
        },
        delete: {
          summary: 'Cancel a backfill as a whole: no more runs start, running ones are asked to stop',
          operationId: 'cancelBackfill',
          description: 'Needs the operator role. `cancelled` is false when it had ended already. Its state becomes `cancelled` once its running runs stopped.',
          parameters: queryParameters(backfillPath, 'path'),
          responses: {
            '200': { description: 'Cancellation requested', content: json({ type: 'object', properties: { cancelled: { type: 'boolean' }, backfill: ref('Backfill') } }) },
            ...errors(400, 401, 403, 404),
          },
        },
      },
      '/api/flows': {
        get: {
          summary: 'Flows, with their parameters (JSON Schema) and deployments; and the tasks Python workers serve for flows to call',
          operationId: 'listFlows',
          responses: {
            '200': {
              description: 'Flows and Python tasks',
              content: json({ type: 'object', properties: { flows: { type: 'array', items: ref('Flow') }, tasks: { type: 'array', items: ref('Task') } } }),
            },
            ...errors(401, 403),
          },
        },
      },
      '/api/health': {
        get: {
          summary: 'Whether the store and Temporal answer (no authentication)',
          operationId: 'health',
          security: [],
          responses: {
            '200': { description: 'Both answer', content: json(ref('Health')) },
            '431': { $ref: '#/components/responses/E431' },
            '503': { description: 'One does not', content: json(ref('Health')) },
          },
        },
      },
      '/api/triggers/{name}': {
        post: {
          summary: 'A signed call ("a file arrived") starts a run of the deployment that declares this http trigger',
          operationId: 'fireTrigger',
          description:
            'No session or token: the signature is the credential. Sign the raw body with the trigger\'s secret (SLUICE_TRIGGER_SECRET_<NAME> on the web app): ' +
            `${SIGNATURE_HEADER}: t=<unix seconds>,sha256=<hex HMAC-SHA256 of "<t>.<body>">, made within 5 minutes. The run is started by \`trigger:http:<name>\`. See docs/triggers.md.`,
          security: [],
          parameters: [
            ...queryParameters(triggerPath, 'path'),
            { name: SIGNATURE_HEADER, in: 'header', required: true, schema: { type: 'string', pattern: '^t=\\d+,sha256=[0-9a-f]{64}$' } },
          ],
          requestBody: { required: true, content: json(inputSchema(triggerBody)) },
          responses: {
            '201': { description: 'The run started', content: json(ref('TriggeredRun')) },
            '200': { description: 'A call with this idempotencyKey started a run before: nothing started; the answer names that run', content: json(ref('TriggeredRun')) },
            '401': { description: 'The signature is missing, wrong or too old (or no secret is set for this trigger). Nothing was started.', content: json(ref('Error')) },
            '404': { description: 'No deployment declares this http trigger.', content: json(ref('Error')) },
            ...errors(400, 413, 415, 422),
          },
        },
      },
      '/api/openapi.json': {
        get: { summary: 'This document', operationId: 'openapi', responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) }, ...errors(401) } },
      },
      '/api/worker/v1/logs': {
        post: {
          summary: "A worker's batch of log lines (and its tasks' progress): lines of runs on the worker token's task queues only",
          operationId: 'workerLogs',
          description:
            `For workers (a worker token, never a session); the body may be gzip (Content-Encoding: gzip), at most ${MAX_LINES_PER_BATCH} lines. ` +
            'A line of a run on another task queue refuses the whole batch (403, the runs named in error.runs); nothing is written. 503: the store is down, send it again.',
          security: [{ bearer: [] }],
          parameters: [workerHeader(false)],
          requestBody: { required: true, content: json(inputSchema(logsRequest)) },
          responses: { '200': { description: 'Written', content: json(outputSchema(logsResponse)) }, ...errors(400, 401, 403, 409, 413, 415, 503) },
        },
      },
      '/api/worker/v1/flows': {
        get: {
          summary: "The flows of one of the worker token's task queues (live and gone)",
          operationId: 'workerFlows',
          security: [{ bearer: [] }],
          parameters: [workerHeader(false), ...queryParameters(queueQuery)],
          responses: { '200': { description: 'The flows', content: json(outputSchema(flowsResponse)) }, ...errors(400, 401, 403, 409, 503) },
        },
        post: {
          summary: "A worker's start-up publish of its task queue's flows and their notification rules",
          operationId: 'workerPublishFlows',
          description: 'Claims the names (409 when another live queue or another repository serves one), publishes the whole set (the queue\'s other flows become gone) and replaces the code rules of these flows.',
          security: [{ bearer: [] }],
          parameters: [workerHeader(false)],
          requestBody: { required: true, content: json(inputSchema(publishFlowsRequest)) },
          responses: { '200': { description: 'Published; the flows taken over from queues nobody polls', content: json(outputSchema(publishFlowsResponse)) }, ...errors(400, 401, 403, 409, 413, 415, 503) },
        },
      },
      '/api/worker/v1/tasks': {
        get: {
          summary: "The tasks (Python workers') published on one of the worker token's task queues",
          operationId: 'workerTasks',
          security: [{ bearer: [] }],
          parameters: [workerHeader(false), ...queryParameters(queueQuery)],
          responses: { '200': { description: 'The tasks', content: json(outputSchema(tasksResponse)) }, ...errors(400, 401, 403, 409, 503) },
        },
        post: {
          summary: 'The whole set of tasks a (Python) worker serves on its task queue, with their declared options',
          operationId: 'workerPublishTasks',
          security: [{ bearer: [] }],
          parameters: [workerHeader(false)],
          requestBody: { required: true, content: json(inputSchema(publishTasksRequest)) },
          responses: { '200': { description: 'Published', content: json(outputSchema(publishTasksResponse)) }, ...errors(400, 401, 403, 409, 413, 415, 503) },
        },
      },
      '/api/worker/v1/replay-findings': {
        post: {
          summary: "A starting worker's replay check: the open runs of its task queue its code cannot replay",
          operationId: 'workerReplayFindings',
          description:
            "Replaces the queue's findings (an empty list clears them). The home page and each run's page show them. " +
            'Every run must be on one of the token\'s task queues (403 names the others; nothing is written). See docs/replay.md.',
          security: [{ bearer: [] }],
          parameters: [workerHeader(false)],
          requestBody: { required: true, content: json(inputSchema(replayFindingsRequest)) },
          responses: { '200': { description: 'Stored', content: json(outputSchema(replayFindingsResponse)) }, ...errors(400, 401, 403, 409, 413, 415, 503) },
        },
      },
      '/api/worker/v1/hello': {
        get: {
          summary: "A worker's version handshake: the server's version and the worker protocols it serves",
          operationId: 'workerHello',
          description: 'For workers (an API token, never a session). Every worker API call declares the worker in the Sluice-Worker header; a protocol the server does not serve is refused with 409.',
          security: [{ bearer: [] }],
          parameters: [workerHeader(true)],
          responses: {
            '200': { description: 'The worker may work with this server', content: json(ref('WorkerHello')) },
            '409': {
              description: "The worker's protocol is older than the oldest this server serves, or newer than its own; the message names both versions and what to upgrade.",
              content: json(ref('Error')),
            },
            ...errors(400, 401, 403),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (slc_…) created by an admin on the API tokens page.' },
        session: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token', description: 'The web app\'s log-in session.' },
      },
      responses: {
        ...Object.fromEntries(
          [
            [400, 'The path, query or body is invalid; the message says which and where, `issues` lists each problem.'],
            [401, 'No session and no valid API token.'],
            [403, 'The caller\'s role does not allow this.'],
            [404, 'No such flow, deployment or run; or a pageToken this server did not hand out.'],
            [409, 'The flow is gone: its task queue stopped declaring it, so no worker would run it. Its past runs stay readable.'],
            [413, `The body is larger than ${MAX_BODY_BYTES} bytes (1 MiB). Nothing was read further and no run was started.`],
            [415, 'The body was not sent as `Content-Type: application/json` (a form, text/plain, or no type). No run was started.'],
            [422, 'The parameters fail the flow\'s schema; `issues` lists each field. No run was started.'],
            [503, 'The store or Temporal is not answering; nothing was done. Try again shortly (GET /api/health says which).'],
          ].map(([status, description]) => [`E${status}`, { description, content: json(ref('Error')) }]),
        ),
        // Node answers this one itself, before the app sees the request: a status line, no body.
        E431: { description: 'The request line and headers are larger than 16 KiB (Node\'s limit): shorten the query.' },
      },
      schemas: {
        TriggeredRun: {
          type: 'object',
          required: ['flow', 'deployment', 'workflowId', 'runId', 'url'],
          properties: { flow: { type: 'string' }, deployment: { type: 'string' }, workflowId: { type: 'string' }, runId: { type: 'string' }, url: { type: 'string' } },
        },
        BackfillPreview: {
          type: 'object',
          properties: {
            flow: { type: 'string' },
            deployment: { type: 'string' },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            runs: { type: 'integer', description: 'How many runs it makes: one per slot.' },
            firstSlot: { type: ['string', 'null'], format: 'date-time' },
            lastSlot: { type: ['string', 'null'], format: 'date-time' },
            maxRunning: { type: 'integer', description: 'Most runs at once, after the overlap policy.' },
            overlap: { type: 'string', enum: ['skip', 'bufferOne', 'allowAll'] },
          },
        },
        Backfill: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            flow: { type: 'string' },
            deployment: { type: 'string' },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            startedBy: { type: ['string', 'null'] },
            startTime: { type: 'string', format: 'date-time' },
            state: { type: 'string', description: '`running`, `completed`, `cancelled` (or `failed`, `terminated` if its driver was stopped from Temporal).' },
            total: { type: 'integer', description: 'How many runs it makes.' },
            done: { type: 'integer', description: 'How many of its runs ended, whatever their end.' },
            maxRunning: { type: 'integer' },
            runs: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Its runs by status (running, completed, failed, cancelled, …).' },
            runsStartedBy: { type: 'string', description: 'GET /api/runs?startedBy= this lists its runs.' },
          },
        },
        RunActionResults: {
          type: 'object',
          properties: {
            action: { type: 'string', enum: ['cancel', 'rerun'] },
            ok: { type: 'integer' },
            failed: { type: 'integer' },
            results: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  workflowId: { type: 'string' },
                  runId: { type: 'string' },
                  ok: { type: 'boolean' },
                  message: { type: 'string' },
                  rerun: { type: 'object', properties: { workflowId: { type: 'string' }, runId: { type: 'string' } } },
                },
              },
            },
          },
        },
        ...body.schemas,
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: ['bad_request', 'unauthorized', 'forbidden', 'not_found', 'method_not_allowed', 'payload_too_large', 'unsupported_media_type', 'invalid_parameters', 'invalid_answer', 'conflict', 'incompatible_worker', 'unavailable', 'internal'] },
                message: { type: 'string' },
                issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
              },
            },
          },
        },
        StartedRun: {
          type: 'object',
          properties: {
            workflowId: { type: 'string' },
            runId: { type: 'string' },
            url: { type: 'string', description: 'The run page in the web app.' },
            api: { type: 'string', description: 'This run in the API.' },
            temporalWebUrl: { type: 'string', description: 'The run in Temporal Web, served by this app at /temporal (a browser session, not a token).' },
          },
        },
        RunSummary: {
          type: 'object',
          properties: {
            workflowId: { type: 'string' },
            runId: { type: 'string' },
            flow: { type: 'string' },
            deployment: { type: ['string', 'null'] },
            startedBy: { type: ['string', 'null'] },
            status: { type: 'string', enum: [...RUN_STATUSES] },
            taskQueue: { type: 'string' },
            startTime: { type: 'string', format: 'date-time' },
            closeTime: { type: ['string', 'null'], format: 'date-time' },
            durationMs: { type: ['number', 'null'] },
            stuck: { type: 'boolean', description: 'A running run whose flow code keeps failing (its workflow task is retried).' },
            waitingForInput: { type: 'boolean', description: "A running run that waits for a person's answer (GET …/question says what it asks)." },
            waitingFor: {
              type: 'array',
              description: 'Set while the run waits for a slot of a concurrency limit or a start of a rate limit (docs/limits.md): which ones.',
              items: {
                type: 'object',
                properties: {
                  kind: { type: 'string', enum: ['concurrency', 'rate'] },
                  key: { type: 'string', examples: ['knmi-api', 'flow:reservoirModel:rhine'] },
                  limit: { type: 'number' },
                  perMs: { type: 'number', description: 'The window of a rate limit.' },
                  what: { type: 'string', examples: ['task downloadKnmi', 'run of flow reservoirModel'] },
                  since: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
        Question: {
          type: 'object',
          properties: {
            id: { type: 'string', examples: ['q1'] },
            question: { type: 'string' },
            about: { type: ['string', 'null'], description: 'What it is about: a line of text, or the key of an artifact of the run.' },
            schema: { type: 'object', description: 'JSON Schema of the answer.' },
            default: { description: 'The answer used when no one answers by timeoutAt (null: none; the run then fails).' },
            askedAt: { type: 'string', format: 'date-time' },
            timeoutAt: { type: ['string', 'null'], format: 'date-time' },
            status: { type: 'string', enum: ['open', 'answered', 'defaulted', 'timed_out'] },
            answer: {},
            answeredBy: { type: ['string', 'null'] },
            answeredAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
        RunQuestions: {
          type: 'object',
          properties: {
            workflowId: { type: 'string' },
            runId: { type: 'string' },
            waiting: { type: 'boolean', description: 'Whether the run waits for an answer now.' },
            question: { oneOf: [ref('Question'), { type: 'null' }], description: 'The open question; null when it waits for none.' },
            questions: { type: 'array', items: ref('Question'), description: 'Every question the run asked, oldest first.' },
            url: { type: 'string', description: 'The run page, where operators answer with a form.' },
          },
        },
        RunPage: {
          type: 'object',
          properties: { runs: { type: 'array', items: ref('RunSummary') }, nextPageToken: { type: 'string' } },
        },
        Run: {
          allOf: [
            ref('RunSummary'),
            {
              type: 'object',
              properties: {
                parameters: {},
                result: {},
                failure,
                stuckOn: {
                  description: "Set while the run's flow code fails on every attempt; kind 'nondeterminism' waits for a code fix.",
                  type: ['object', 'null'],
                  properties: {
                    kind: { type: 'string', enum: ['nondeterminism', 'error'] },
                    explanation: { type: 'string' },
                    failure,
                    attempts: { type: ['integer', 'null'] },
                  },
                },
                tasks: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      activityId: { type: 'string' },
                      task: { type: 'string' },
                      status: { type: 'string' },
                      attempts: { type: 'integer' },
                      maximumAttempts: { type: ['integer', 'null'] },
                      scheduledTime: { type: 'string' },
                      startedTime: { type: ['string', 'null'] },
                      closeTime: { type: ['string', 'null'] },
                      durationMs: { type: ['number', 'null'] },
                      lastFailure: failure,
                      progress: {
                        type: ['object', 'null'],
                        description:
                          'What the task last reported with progress(), while it is open (null once it closed, or when it reported none). ' +
                          'Its worker writes it with its log lines, so it is at most about a second old.',
                        required: ['done', 'total', 'reportedAt'],
                        properties: {
                          done: { type: 'number' },
                          total: { type: 'number' },
                          message: { type: 'string' },
                          reportedAt: { type: ['string', 'null'], format: 'date-time', description: 'When the task reported it.' },
                        },
                        additionalProperties: false,
                      },
                      worker: { type: ['string', 'null'], description: 'The worker that ran its last attempt (pid@host; "(python)" for a Python worker).' },
                      local: { type: 'boolean', description: 'A local task: recorded once, when it ended; no start time or progress.' },
                    },
                  },
                },
                questions: { type: 'array', items: ref('Question'), description: 'What the run asked people (ask()), oldest first.' },
                limits: {
                  type: 'array',
                  description: 'The limits the run waits for, as their limiters last said: slots in use, by which runs, how many wait.',
                  items: {
                    type: 'object',
                    properties: {
                      kind: { type: 'string', enum: ['concurrency', 'rate'] },
                      key: { type: 'string' },
                      limit: { type: 'number' },
                      perMs: { type: 'number' },
                      inUse: { type: 'number' },
                      waiting: { type: 'number' },
                      holders: { type: 'array', items: { type: 'object', properties: { workflowId: { type: 'string' }, runId: { type: 'string' }, what: { type: 'string' }, since: { type: 'string', format: 'date-time' } } } },
                    },
                  },
                },
                temporalWebUrl: { type: 'string', description: 'The run in Temporal Web, served by this app at /temporal (a browser session, not a token).' },
                url: { type: 'string' },
              },
            },
          ],
        },
        LogPage: {
          type: 'object',
          properties: {
            workflowId: { type: 'string' },
            runId: { type: 'string' },
            nextAfterId: { type: ['integer', 'null'] },
            logs: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'integer' },
                  time: { type: 'integer', description: 'Epoch milliseconds.' },
                  level: { type: 'string', enum: [...LOG_LEVELS] },
                  message: { type: 'string' },
                  fields: { type: 'object' },
                  task: { type: ['string', 'null'] },
                  attempt: { type: ['integer', 'null'] },
                },
              },
            },
          },
        },
        Artifact: {
          description: 'A result a flow or task published with `publish`, as its `kind` says; the schema the publisher and the store check it with.',
          allOf: [
            outputSchema(artifactSchema),
            {
              type: 'object',
              properties: {
                id: { type: 'integer', description: 'Grows in publishing order.' },
                time: { type: 'integer', description: 'Epoch milliseconds of the publish call.' },
                workflowId: { type: 'string' },
                runId: { type: 'string' },
                flow: { type: ['string', 'null'] },
                task: { type: ['string', 'null'], description: 'The task that published it; null when the flow did.' },
              },
            },
          ],
        },
        ArtifactPage: {
          type: 'object',
          properties: {
            workflowId: { type: 'string' },
            runId: { type: 'string' },
            nextAfterId: { type: ['integer', 'null'] },
            artifacts: { type: 'array', items: ref('Artifact') },
          },
        },
        Flow: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            description: { type: ['string', 'null'] },
            taskQueue: { type: 'string' },
            parametersSchema: { type: 'object', description: 'JSON Schema of the parameters.' },
            deployments: { type: 'array', items: { type: 'object' } },
            goneAt: { type: ['string', 'null'], format: 'date-time', description: 'When its task queue stopped declaring it; a gone flow cannot be started (409).' },
          },
        },
        Task: {
          type: 'object',
          description: 'A task a Python worker serves now, as it published it at its start (tasks it stopped declaring are left out).',
          properties: {
            name: { type: 'string' },
            taskQueue: { type: 'string' },
            language: { type: 'string', examples: ['python'] },
            options: {
              type: 'object',
              description: 'Its declared options with defaults filled in, as TaskOptions; durations in milliseconds.',
              properties: {
                retries: { type: 'integer' },
                retryDelay: { type: 'number' },
                backoff: { type: 'number' },
                maxRetryDelay: { type: 'number' },
                timeout: { type: 'number' },
                heartbeatTimeout: { type: 'number' },
                nonRetryableErrors: { type: 'array', items: { type: 'string' } },
              },
            },
            worker: { type: 'string', description: 'The identity of the worker that published it, e.g. 4242@host (python).' },
            publishedAt: { type: 'string', format: 'date-time' },
          },
        },
        WorkerHello: inputSchema(helloAnswer),
        Health: {
          type: 'object',
          properties: { status: { enum: ['ok', 'degraded'] }, store: { enum: ['ok', 'down'] }, temporal: { enum: ['ok', 'down'] } },
        },
      },
    },
  };
}
