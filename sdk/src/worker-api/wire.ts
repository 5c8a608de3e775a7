/**
 * The worker API's wire shapes (`/api/worker/v1/…`), one zod schema each: the web app validates every request
 * with them, the Node worker's client builds its requests from the same types, and the Python client follows
 * them field for field. JSON, `Authorization: Bearer <worker token>`; a request body may be sent with
 * `Content-Encoding: gzip`. Errors are `{ error: { code, message } }` (400/401/403/409/413, 503 when the
 * store is down: the worker retries). Unknown fields are ignored, so a newer worker's extra field does not
 * fail an older server.
 */
import { z } from 'zod';
import type { Artifact } from '../artifacts';
import { NOTIFY_EVENTS, type NotifyEvent } from '../notify/types';

/** Where the worker API lives under the web app's base URL (SLUICE_URL). */
export const WORKER_API_PATH = '/api/worker/v1';

/** The most lines one `POST /logs` may carry (the shipper's batch size), and the most progress records. */
export const MAX_LINES_PER_BATCH = 5_000;
/** The most bytes a `POST /logs` body may have once decompressed (gzip or not). */
export const MAX_LOGS_BODY_BYTES = 16 * 1024 * 1024;

const id = z.string().min(1).max(1_000);
const name = z.string().min(1).max(200);
const optionalText = z.string().max(1_000).nullish();

/** A task queue a worker token may serve (Temporal's own limit on a name is 1000 characters). */
export const taskQueueName = z.string().min(1).max(1_000);

export const logLevel = z.enum(['debug', 'info', 'warn', 'error']);

/** One log line, as the store's LogRecord (sdk/src/store/types.ts). */
export const logLine = z.object({
  /** Epoch milliseconds. */
  time: z.number().nonnegative(),
  level: logLevel,
  message: z.string(),
  fields: z.record(z.string(), z.unknown()).optional(),
  /** The fields already as JSON text (stored instead of `fields` when given). */
  fieldsText: z.string().optional(),
  workflowId: id,
  runId: id,
  flow: optionalText,
  task: optionalText,
  activityId: optionalText,
  attempt: z.number().int().nonnegative().nullish(),
  /** What `publish` published with this line; the store checks it with the one artifact schema (sdk/src/artifacts.ts). */
  artifact: z.custom<Artifact>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'an artifact is an object').optional(),
});

/** What a task last reported with `progress()`, as the store's ProgressRecord. */
export const progressLine = z.object({
  time: z.number().nonnegative(),
  workflowId: id,
  runId: id,
  task: optionalText,
  activityId: id,
  attempt: z.number().int().nonnegative(),
  done: z.number(),
  total: z.number(),
  message: z.string().max(10_000).nullish(),
});

/** `POST /logs`: a batch of lines (and progress) of runs on the token's task queues. */
export const logsRequest = z.object({
  lines: z.array(logLine).max(MAX_LINES_PER_BATCH),
  progress: z.array(progressLine).max(MAX_LINES_PER_BATCH).optional(),
});
export const logsResponse = z.object({ written: z.number().int().nonnegative() });

const duration = z.union([z.string().max(100), z.number().nonnegative()]);

/** A notification rule declared in code (sdk/src/notify/types.ts NotifyRule), with the flow and deployment it is on. */
export const declaredRule = z.object({
  flow: name,
  deployment: name.nullable(),
  rule: z.object({
    on: z.array(z.enum(NOTIFY_EVENTS as [NotifyEvent, ...NotifyEvent[]])).max(NOTIFY_EVENTS.length).optional(),
    channels: z.array(z.string().min(1).max(500)).min(1).max(50),
    longerThan: duration.optional(),
    lateAfter: duration.optional(),
  }),
});

/** One flow of the catalog, as the worker publishes it (the store's FlowEntry without the server's fields). */
export const publishedFlow = z.object({
  name,
  description: z.string().max(10_000).nullable(),
  parametersSchema: z.unknown(),
  deployments: z.array(z.unknown()).max(1_000),
  runTimeoutMs: z.number().int().positive().nullish(),
  updatedAt: z.number().nonnegative(),
});

/**
 * `POST /flows`: the worker's start-up publish. The server claims the names (refused, 409, when another live
 * queue or another repository serves one), publishes the whole set (the queue's other flows become gone) and
 * replaces the code notification rules of these flows.
 */
export const publishFlowsRequest = z.object({
  taskQueue: taskQueueName,
  repository: name.optional(),
  flows: z.array(publishedFlow).max(1_000),
  rules: z.array(declaredRule).max(10_000).default([]),
});
/** The flows taken over from queues nobody polls any more (their schedules are the worker's to adopt). */
export const publishFlowsResponse = z.object({
  takeOvers: z.array(z.object({ flow: z.string(), from: z.string() })),
});

/** A flow of the catalog as the server answers it (the store's FlowEntry). */
export const flowEntry = publishedFlow.extend({
  taskQueue: z.string(),
  goneAt: z.number().nullable(),
  repository: z.string().nullable(),
});
/** `GET /flows?taskQueue=Q`: every entry of the queue, live and gone, by name. */
export const queueQuery = z.object({ taskQueue: taskQueueName });
export const flowsResponse = z.object({ flows: z.array(flowEntry) });

/** `POST /tasks`: the whole set of tasks a (Python) worker serves on a queue, name → declared options. */
export const publishTasksRequest = z.object({
  taskQueue: taskQueueName,
  /** The identity of the publishing worker. */
  worker: z.string().min(1).max(1_000),
  tasks: z.record(name, z.record(z.string(), z.unknown())),
});
export const publishTasksResponse = z.object({ published: z.number().int().nonnegative() });

/** A task of the catalog (the store's TaskEntry). */
export const taskEntry = z.object({
  name: z.string(),
  taskQueue: z.string(),
  language: z.string(),
  options: z.record(z.string(), z.unknown()),
  worker: z.string(),
  updatedAt: z.number(),
});
/** `GET /tasks?taskQueue=Q`: the live tasks of the queue. */
export const tasksResponse = z.object({ tasks: z.array(taskEntry) });

/** The most characters of a replay finding's reason the server keeps (Temporal's message names the command, rarely more). */
export const MAX_REPLAY_REASON = 4_000;
/** The most findings one start-up may report (a worker replays at most this many open runs; see sdk/src/replay/). */
export const MAX_REPLAY_FINDINGS = 1_000;

/** An open run the worker's code could not replay (the store's ReplayFinding without the server's fields). */
export const replayFinding = z.object({
  workflowId: id,
  runId: id,
  flow: name,
  reason: z.string().min(1).max(MAX_REPLAY_REASON),
});

/**
 * `POST /replay-findings`: what a starting worker found replaying its queue's open runs on its code. Replaces the
 * queue's findings (an empty list clears them: the new code carries every run it checked). Every run must be on
 * the queue (403 names the others; nothing is written).
 */
export const replayFindingsRequest = z.object({
  taskQueue: taskQueueName,
  /** The identity of the worker that replayed them. */
  worker: z.string().min(1).max(1_000),
  findings: z.array(replayFinding).max(MAX_REPLAY_FINDINGS),
});
export const replayFindingsResponse = z.object({ stored: z.number().int().nonnegative() });

/**
 * Every error answer. A `POST /logs` refused for runs outside the token's task queues names them in `runs`, so
 * the worker can drop their lines (they would never be accepted) and send the rest again.
 */
export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    runs: z.array(z.object({ workflowId: z.string(), runId: z.string() })).optional(),
  }),
});

export type LogsRequest = z.input<typeof logsRequest>;
export type PublishFlowsRequest = z.input<typeof publishFlowsRequest>;
export type PublishTasksRequest = z.input<typeof publishTasksRequest>;
export type ReplayFindingsRequest = z.input<typeof replayFindingsRequest>;

/** `GET /hello`: the server's package version and the worker protocols it serves (`oldest`…`current`). */
export const helloAnswer = z.object({
  server: z.object({ version: z.string().min(1) }),
  protocol: z.object({ current: z.number().int().min(1), oldest: z.number().int().min(1) }),
});
export type HelloAnswer = z.infer<typeof helloAnswer>;
