/**
 * What every page of a browser tour is held to, whatever it shows: no console error, no request answered
 * 4xx/5xx (the favicon included), an axe-core audit without violations, checkboxes beside their labels; and
 * which paths a browser context asked for (documents and client-side navigations), to tell which pages it saw.
 */
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';

export interface ContextWatch {
  /** Console errors, uncaught errors and failed requests since the last `take()`. */
  take(): string[];
  /** Pathnames the context navigated to or fetched as a page (React Server Component requests), in order. */
  visited: string[];
  /** Lets `path` answer `status` (e.g. the 403 a viewer is meant to get), and the browser's console line about it. */
  expect(path: string, status: number): void;
}

export function watchContext(context: BrowserContext, who: string): ContextWatch {
  let problems: string[] = [];
  const visited: string[] = [];
  const expected: { path: string; status: number }[] = [];
  const isExpected = (url: string, status: number) => {
    const path = URL.canParse(url) ? new URL(url).pathname : '';
    return expected.some((e) => e.status === status && e.path === path);
  };
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (request.isNavigationRequest() && request.frame() === request.frame().page()?.mainFrame()) visited.push(url.pathname);
    else if (request.headers()['rsc'] === '1' && !request.headers()['next-router-prefetch']) visited.push(url.pathname);
  });
  context.on('response', (response) => {
    if (response.status() < 400 || isExpected(response.url(), response.status())) return;
    problems.push(`${who}: ${response.request().method()} ${response.url()} answered ${response.status()}`);
  });
  context.on('requestfailed', (request) => {
    // A fetch aborted by leaving the page (an RSC prefetch, a log poll) is not a failure of the page.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`${who}: ${request.method()} ${request.url()} failed: ${request.failure()?.errorText}`);
  });
  context.on('console', (message) => {
    if (message.type() !== 'error') return;
    const status = /status of (\d{3})/.exec(message.text());
    if (status && isExpected(message.location().url, Number(status[1]))) return;
    problems.push(`${who}: console error on ${message.page()?.url()}: ${message.text()}`);
  });
  context.on('weberror', (error) => problems.push(`${who}: uncaught error on ${error.page()?.url()}: ${error.error().message}`));
  return {
    take: () => {
      const taken = problems;
      problems = [];
      return taken;
    },
    visited,
    expect: (path, status) => expected.push({ path, status }),
  };
}

/**
 * axe-core's violations on the page as it is now (every rule axe runs by default), one readable line each.
 * Legacy mode: axe runs in the page itself, instead of finishing in a new blank page of the context each time
 * (which is for pages with cross-origin frames; Sluice's have none). Bounded: a page evaluation has no timeout.
 */
export async function axeViolations(page: Page, timeoutMs = 90_000): Promise<string[]> {
  const { violations } = await bounded(new AxeBuilder({ page }).setLegacyMode(true).analyze(), timeoutMs, `axe-core on ${page.url()}`);
  return violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`).join('; ')}`,
  );
}

/**
 * Checkboxes and radio buttons drawn away from their label's words (a stretched control sits mid-row, or on
 * another row): a sighted user cannot tell which box is which. Axe does not check this; it is measured here.
 * In-page code is a string: functions compiled by tsx carry helpers the page does not have.
 */
export async function controlsAwayFromLabels(page: Page): Promise<string[]> {
  return bounded(page.evaluate(checkboxGaps), 30_000, `measuring checkboxes on ${page.url()}`);
}

const checkboxGaps = `(() => {
  const away = [];
  for (const input of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
    const label = input.labels && input.labels[0];
    const box = input.getBoundingClientRect();
    if (!label || box.width === 0) continue;
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT, { acceptNode: function (n) { return n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT; } });
    const first = walker.nextNode();
    if (!first) continue;
    const range = document.createRange();
    range.selectNodeContents(first);
    const text = range.getBoundingClientRect();
    const gap = text.left >= box.right ? text.left - box.right : box.left - text.right;
    const sameRow = text.top < box.bottom && box.top < text.bottom;
    if (!sameRow || gap < 0 || gap > 16) away.push(input.name + '=' + input.value + ' (label "' + first.textContent.trim() + '"): ' + (sameRow ? Math.round(gap) + ' px apart' : 'not on its row'));
  }
  return away;
})()`;

/**
 * What on the page changes something: every form that posts (server actions render method="POST"), outside
 * the top bar (log-out), and every link to a path matching `writePaths` (pages that are a write, e.g. a run form).
 */
export async function writeControls(page: Page, writePaths: RegExp[]): Promise<string[]> {
  const forms = await page.locator('form[method="POST" i]').evaluateAll((els) =>
    els.filter((f) => !f.closest('header')).map((f) => `form: ${(f.textContent ?? '').trim().slice(0, 60)}`),
  );
  const hrefs = await page.locator('main a[href^="/"]').evaluateAll((els) => els.map((a) => a.getAttribute('href') ?? ''));
  const links = hrefs.filter((href) => writePaths.some((p) => p.test(new URL(href, 'http://x').pathname))).map((href) => `link: ${href}`);
  return [...forms, ...links];
}

/** `work`, or an error naming `what` once `timeoutMs` has passed. */
async function bounded<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
