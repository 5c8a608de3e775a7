/**
 * Figure 3: from pressing the run form's "Start run" to the run's first task running. The click is timed in the
 * page (a capturing listener, so no Playwright overhead is counted); the task returns the moment its body began.
 * Also kept: when Temporal recorded the task as started, and when the browser reached the run page.
 */
import { timestampDate } from 'sluice/internal/temporal';
import { atMost, type Metric } from '../lib/report';
import { loggedInContext } from '../../test/web/harness';
import { preparePage } from './page-probes';
import { spread } from './percentiles';
import type { Stack } from './stack';

const REPS = 10;
const runPath = /\/runs\/([^/]+)\/([^/?#]+)$/;

export async function benchStartLatency(stack: Stack, say: (l: string) => void): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const context = await loggedInContext(stack.browser, stack.app, 'operator');
  const page = await context.newPage();
  await preparePage(page);
  let clicked: (at: number) => void = () => {};
  await page.exposeFunction('__benchClicked', (at: number) => clicked(at));

  const toTask: number[] = [];
  const toEvent: number[] = [];
  const toPage: number[] = [];
  for (let i = 0; i < REPS + 1; i++) {
    await page.goto(`${stack.app.baseUrl}/flows/webBenchQuick/run`);
    await page.getByTestId('run-form').waitFor();
    const click = new Promise<number>((resolve) => (clicked = resolve));
    await page.evaluate(() => {
      document.addEventListener(
        'click',
        (e) => {
          if ((e.target as Element | null)?.closest('button[type="submit"]')) (window as unknown as { __benchClicked(at: number): void }).__benchClicked(Date.now());
        },
        { capture: true, once: true },
      );
    });
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(runPath, { timeout: 30_000 });
    const pageAt = Date.now();
    const clickAt = await click;
    const [, wid, rid] = runPath.exec(new URL(page.url()).pathname)!;
    const ref = { workflowId: decodeURIComponent(wid), runId: decodeURIComponent(rid) };
    const { taskStartedAt } = (await stack.client.waitForResult(ref)) as { taskStartedAt: number };
    const history = await stack.client.temporal.workflow.getHandle(ref.workflowId, ref.runId).fetchHistory();
    const started = history.events?.find((e) => e.activityTaskStartedEventAttributes);
    const eventAt = timestampDate(started?.eventTime)?.getTime();
    if (i === 0) continue; // the first round warms the pages and the action up
    toTask.push(taskStartedAt - clickAt);
    if (eventAt !== undefined) toEvent.push(eventAt - clickAt);
    toPage.push(pageAt - clickAt);
  }
  await context.close();
  const task = spread(toTask);
  say(`  start: click → first task running p50 ${task.p50} ms (p95 ${task.p95} ms)`);
  return {
    metrics: [
      { name: '"Start run" click → first task running: p50', value: task.p50, unit: 'ms', ...atMost(task.p50, 1000) },
      { name: '"Start run" click → run page reached: p50', value: spread(toPage).p50, unit: 'ms', target: '' },
    ],
    details: {
      reps: REPS,
      clickToTaskBodyMs: task,
      clickToActivityTaskStartedEventMs: toEvent.length ? spread(toEvent) : null,
      clickToRunPageUrlMs: spread(toPage),
      samples: { toTask, toEvent, toPage },
    },
  };
}
