/** Flows of the web benchmarks (bench/web/run.ts); names start with `webBench` so they are easy to tell apart. */
import { z } from 'zod';
import { flow, tasks } from 'sluice/flow';
import type * as benchTasks from './tasks';

const { webBenchNoopTask, webBenchPause, webBenchProgress, webBenchStamp, webBenchStream } = tasks<typeof benchTasks>();

/** No task at all: the cheapest finished run, for filling the runs list. */
export const webBenchNoop = flow({ description: 'Finishes at once (fills the runs list).' }, async () => 'done');

/** One task that says when it ran: the run form's "Run" → first task running. */
export const webBenchQuick = flow(
  { description: 'One task that returns when it began.', parameters: z.object({ label: z.string().default('bench') }) },
  async () => ({ taskStartedAt: await webBenchStamp() }),
);

/** `tasks` no-op tasks (in batches of 50), then a task streaming log lines once the bench says go. */
export const webBenchStreaming = flow(
  {
    description: 'A long history, then a stream of timestamped log lines.',
    parameters: z.object({
      tasks: z.number().int().min(0).max(2000).default(0),
      goFile: z.string().min(1),
      rate: z.number().int().min(1).max(20_000).default(10),
      seconds: z.number().int().min(1).max(600).default(30),
    }),
  },
  async ({ tasks: count, goFile, rate, seconds }) => {
    for (let start = 0; start < count; start += 50) {
      await Promise.all(Array.from({ length: Math.min(50, count - start) }, (_, k) => webBenchNoopTask(start + k)));
    }
    return webBenchStream({ goFile, rate, seconds });
  },
);

/** `tasks` tasks one after another, each `taskMs` long: a run whose history grows while its page is open. */
export const webBenchLong = flow(
  {
    description: 'A long chain of short tasks.',
    parameters: z.object({ tasks: z.number().int().min(1).max(5000).default(1000), taskMs: z.number().int().min(0).max(10_000).default(100) }),
  },
  async ({ tasks: count, taskMs }) => {
    for (let i = 0; i < count; i++) await webBenchPause(taskMs);
    return count;
  },
);

/** Fails at once, in the flow itself: the notification burst (notify-burst.ts) starts 2,000 of these, told by a rule. */
export const webBenchFail = flow({ description: 'Fails at once (a burst of failures for the notifier).' }, async () => {
  throw new Error('no data for station');
});

/** The same, with no rule: the burst without the notifier's work, to compare with. */
export const webBenchFailUntold = flow({ description: 'Fails at once; no rule tells anyone.' }, async () => {
  throw new Error('no data for station');
});
/** One task reporting progress at a steady pace once the bench says go (the progress-latency figure). */
export const webBenchProgressing = flow(
  {
    description: 'A task reporting progress every few ms.',
    parameters: z.object({ goFile: z.string().min(1), count: z.number().int().min(1).max(10_000).default(200), everyMs: z.number().int().min(1).default(100) }),
  },
  async (options) => webBenchProgress(options),
);
