/**
 * What the benchmarks watch inside the page: long tasks on the main thread (PerformanceObserver 'longtask'),
 * and the moment each streamed log line (`tick <n> at <epoch ms>`) first appears in the DOM (MutationObserver).
 * Times are epoch ms from the page's Date.now(): the browser, the worker and the bench share this machine's clock.
 */
import type { Page } from 'playwright-core';

export interface LongTask {
  /** Epoch ms. */
  start: number;
  duration: number;
}

export interface SeenLine {
  seq: number;
  writtenAt: number;
  seenAt: number;
}

type ProbeWindow = typeof globalThis & { __benchLongTasks?: LongTask[]; __benchSeen?: Record<number, SeenLine> };

/**
 * Prepares every document the page opens, before the page's own scripts: the long-task observer, and the
 * `__name` helper that tsx (esbuild keepNames) puts into functions this file hands to page.evaluate.
 */
export async function preparePage(page: Page): Promise<void> {
  await page.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((f) => f);' });
  await page.addInitScript(() => {
    const w = window as ProbeWindow;
    w.__benchLongTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__benchLongTasks!.push({ start: performance.timeOrigin + e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      // No longtask support: the bench reports that no entries were seen, and checks support itself.
    }
  });
}

export async function longTasks(page: Page): Promise<LongTask[]> {
  return page.evaluate(() => (window as ProbeWindow).__benchLongTasks ?? []);
}

/** Whether this Chromium reports long tasks at all (else "no long task" would mean nothing). */
export async function longTasksSupported(page: Page): Promise<boolean> {
  return page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes('longtask'));
}

/** Starts recording, for each `tick` line, when it is first added to the log box. */
export async function watchLogLines(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as ProbeWindow;
    w.__benchSeen = {};
    const box = document.querySelector('.log-view');
    if (!box) throw new Error('no .log-view on the page');
    const note = (el: Element, now: number) => {
      const m = /tick (\d+) at (\d+)/.exec(el.textContent ?? '');
      if (!m) return;
      const seq = Number(m[1]);
      if (!(seq in w.__benchSeen!)) w.__benchSeen![seq] = { seq, writtenAt: Number(m[2]), seenAt: now };
    };
    const scan = (now: number) => box.querySelectorAll('.log-line').forEach((el) => note(el, now));
    scan(Date.now());
    new MutationObserver((records) => {
      const now = Date.now();
      for (const r of records) {
        r.addedNodes.forEach((n) => {
          if (!(n instanceof Element)) return;
          if (n.classList.contains('log-line')) note(n, now);
          else n.querySelectorAll('.log-line').forEach((el) => note(el, now));
        });
        // A row React reuses gets new text rather than a new node.
        if (r.type === 'characterData' && r.target.parentElement) {
          const row = r.target.parentElement.closest('.log-line');
          if (row) note(row, now);
        }
      }
    }).observe(box, { childList: true, subtree: true, characterData: true });
  });
}

export async function seenLines(page: Page): Promise<SeenLine[]> {
  return page.evaluate(() => Object.values((window as ProbeWindow).__benchSeen ?? {}));
}
