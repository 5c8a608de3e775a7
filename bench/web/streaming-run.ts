/**
 * A run of webBenchStreaming watched on its run page: start it, let its no-op tasks finish, open its page in
 * Chromium, then tell its stream task to go and record long tasks and when each line appears, until the last
 * line is on screen. Figures 2 and 4 are both made of this.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunRef } from 'sluice/client';
import { loggedInContext } from '../../test/web/harness';
import { longTasks, longTasksSupported, preparePage, seenLines, watchLogLines, type LongTask, type SeenLine } from './page-probes';
import type { Stack } from './stack';

export interface StreamingRun {
  ref: RunRef;
  /** The run page's path. */
  path: string;
  goFile: string;
  rate: number;
  seconds: number;
}

let counter = 0;

export async function startStreamingRun(stack: Stack, o: { tasks: number; rate: number; seconds: number }): Promise<StreamingRun> {
  const goFile = path.join(stack.tmpDir, `go-${++counter}`);
  const ref = await stack.client.start('webBenchStreaming', { tasks: o.tasks, goFile, rate: o.rate, seconds: o.seconds }, { startedBy: 'client:bench-web' });
  return { ref, path: `/runs/${encodeURIComponent(ref.workflowId)}/${encodeURIComponent(ref.runId)}`, goFile, rate: o.rate, seconds: o.seconds };
}

/** Waits until the run's `tasks` no-op tasks have completed and its stream task runs (waiting for go). */
export async function waitUntilStreamTaskWaits(stack: Stack, run: StreamingRun, tasks: number): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    const detail = await stack.client.getRun(run.ref.workflowId, run.ref.runId);
    const done = detail?.tasks.filter((t) => t.task === 'webBenchNoopTask' && t.status === 'completed').length ?? 0;
    const waiting = detail?.tasks.some((t) => t.task === 'webBenchStream' && t.status === 'running');
    if (done === tasks && waiting) return;
    if (detail && detail.status !== 'running') throw new Error(`${run.ref.workflowId} ended (${detail.status}) before streaming: ${JSON.stringify(detail.failure)}`);
    if (Date.now() > deadline) throw new Error(`${run.ref.workflowId}: ${done}/${tasks} tasks done after 5 minutes. Worker output:\n${stack.worker.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export interface OpenPage {
  context: BrowserContext;
  page: Page;
  openedAt: number;
  errors: string[];
}

/** Opens the run page as a viewer, with the probes in place; resolves once the log box has its first answer. */
export async function openRunPage(stack: Stack, run: StreamingRun): Promise<OpenPage> {
  const context = await loggedInContext(stack.browser, stack.app, 'viewer');
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await preparePage(page);
  const openedAt = Date.now();
  await page.goto(new URL(run.path, stack.app.baseUrl).toString());
  await page.locator('.log-view').waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => !document.querySelector('.log-view')?.textContent?.includes('Loading logs'), undefined, { timeout: 60_000 });
  if (!(await longTasksSupported(page))) throw new Error("This Chromium does not report 'longtask' entries: the main-thread figure cannot be measured.");
  return { context, page, openedAt, errors };
}

export interface StreamWatch {
  goAt: number;
  /** When the last line was first seen on the page (or the wait for it gave up). */
  endAt: number;
  written: number;
  seen: SeenLine[];
  /** Long tasks from opening the page to go, and from go to the last line. */
  loadLongTasks: LongTask[];
  streamLongTasks: LongTask[];
  lastLineSeen: boolean;
}

/** Says go, waits for the run to finish and its last line to be on screen (at most 15 s more), and collects. */
export async function streamAndWatch(stack: Stack, open: OpenPage, run: StreamingRun): Promise<StreamWatch> {
  const { page } = open;
  await watchLogLines(page);
  const goAt = Date.now();
  writeFileSync(run.goFile, String(goAt));
  const result = (await stack.client.waitForResult(run.ref)) as { lines: number };
  const lastSeq = result.lines - 1;
  let lastLineSeen = true;
  try {
    await page.waitForFunction((seq) => (window as unknown as { __benchSeen?: Record<number, unknown> }).__benchSeen?.[seq] !== undefined, lastSeq, { timeout: 15_000, polling: 200 });
  } catch {
    lastLineSeen = false;
  }
  const seen = await seenLines(page);
  const endAt = lastLineSeen ? Math.max(...seen.map((s) => s.seenAt)) : Date.now();
  const all = await longTasks(page);
  return {
    goAt,
    endAt,
    written: result.lines,
    seen,
    loadLongTasks: all.filter((t) => t.start < goAt),
    streamLongTasks: all.filter((t) => t.start >= goAt && t.start <= endAt),
    lastLineSeen,
  };
}
