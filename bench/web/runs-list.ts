/**
 * Figure 1: the runs page (/runs) with 500 and with 5,000 finished runs in the namespace. The runs are started
 * through SluiceClient.start (so they carry Sluice's search attributes, as runs started from the app do), many
 * at once, of a flow with no task; the page is then timed as a viewer opens it.
 */
import { atMost, type Metric } from '../lib/report';
import { samplePage, timedGet, type PageTimings } from './http-timing';
import type { Stack } from './stack';

const FLOW = 'webBenchNoop';
const CONCURRENCY = 48;

/** Starts `n` runs of `flow`, `CONCURRENCY` at a time; returns the starts per second. */
export async function startRuns(stack: Stack, n: number, flow = FLOW): Promise<number> {
  const t0 = Date.now();
  let next = 0;
  const lane = async () => {
    while (next < n) {
      next++;
      await stack.client.start(flow, {}, { startedBy: 'client:bench-web' });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return n / ((Date.now() - t0) / 1000);
}

/** Waits until `n` runs of the flow have completed (and none is left running). */
async function waitCompleted(stack: Stack, n: number, say: (l: string) => void): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  let last = '';
  for (;;) {
    const { byStatus } = await stack.client.countRuns({ flow: FLOW });
    const done = byStatus.completed ?? 0;
    if (done >= n && !byStatus.running) return;
    const line = `${done}/${n} completed`;
    if (line !== last) say(`  runs list: ${line}`);
    last = line;
    if (Date.now() > deadline) throw new Error(`runs list: only ${done} of ${n} ${FLOW} runs completed within 5 minutes; is the worker running? Its output:\n${stack.worker.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** The total the page's "All" chip shows, to check the page saw every run; null when it is not found. */
function shownTotal(body: string): number | null {
  const m = /All\s*(?:<!-- -->\s*)?<span class="n">([\d,]+)<\/span>/.exec(body);
  return m ? Number(m[1].replace(/,/g, '')) : null;
}

async function timeRunsPage(stack: Stack): Promise<PageTimings & { shownTotal: number | null }> {
  const cookie = await stack.app.cookie('viewer');
  const { body } = await timedGet(`${stack.app.baseUrl}/runs`, cookie);
  // The data streams in after the frame: check it is the real table of 25 runs, not the skeleton or an error.
  const timings = await samplePage(`${stack.app.baseUrl}/runs`, cookie, {
    warmup: 3,
    samples: 20,
    check: (b) => b.includes('data-testid="runs-table"') && (b.match(/data-run="/g) ?? []).length === 25,
  });
  return { ...timings, shownTotal: shownTotal(body) };
}

export async function benchRunsList(stack: Stack, say: (l: string) => void): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const sizes = [500, 5000];
  const pages: Record<number, PageTimings & { shownTotal: number | null }> = {};
  const startRates: Record<number, number> = {};
  let have = 0;
  for (const size of sizes) {
    say(`  runs list: starting ${size - have} runs of ${FLOW} (${CONCURRENCY} at a time)`);
    startRates[size] = Math.round(await startRuns(stack, size - have));
    await waitCompleted(stack, size, say);
    have = size;
    pages[size] = await timeRunsPage(stack);
    say(`  runs list @${size}: TTFB p50 ${pages[size].ttfb.p50} ms, whole page p50 ${pages[size].total.p50} ms, ${pages[size].bytes.p50} bytes; the page counts ${pages[size].shownTotal ?? '?'} runs`);
  }
  const [small, big] = sizes.map((s) => pages[s]);
  const growth = big.bytes.p50 / small.bytes.p50;
  return {
    metrics: [
      { name: 'runs page @5,000: TTFB p50', value: big.ttfb.p50, unit: 'ms', ...atMost(big.ttfb.p50, 300) },
      { name: 'runs page @5,000: whole page p50', value: big.total.p50, unit: 'ms', ...atMost(big.total.p50, 300) },
      { name: 'runs page @500: TTFB p50', value: small.ttfb.p50, unit: 'ms', target: '' },
      { name: 'runs page @500: whole page p50', value: small.total.p50, unit: 'ms', target: '' },
      { name: 'runs page bytes @5,000 / @500', value: Number(growth.toFixed(3)), unit: 'x', target: '~1 (<= 1.05)', pass: growth <= 1.05 },
    ],
    details: { pages, startRatesPerS: startRates, concurrency: CONCURRENCY, flow: FLOW },
  };
}
