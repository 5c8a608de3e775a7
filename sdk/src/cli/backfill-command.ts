/**
 * `sluice backfill`: preview, start, follow or cancel a backfill through the web app's HTTP API, with an API token
 * (operator), so the roles and checks are the web app's own.
 */
import { parseArgs } from 'node:util';
import type { BackfillInfo, BackfillPreview } from '../backfill/types';
import { EXIT, UsageError, type Command } from './usage';
import { SluiceError } from '../errors';

/** Thrown when the web app refuses the request or cannot be reached; the message is its own. */
export class BackfillRequestError extends SluiceError {
  static override readonly code = 'backfill_refused';
  static override readonly kind = 'bad_request';

  constructor(message: string) {
    super(message);
    this.name = 'BackfillRequestError';
  }
}

export const backfillCommand: Command = {
  summary: 'run a deployment for every slot of a past range (preview, start, status, cancel)',
  help: `Usage: sluice backfill FLOW DEPLOYMENT --from DATE --to DATE [--max-running N] [--preview] [--wait]
       sluice backfill --status ID
       sluice backfill --cancel ID

Runs DEPLOYMENT of FLOW once for every slot of its schedule from --from to --to (both included; a date such as
2026-03-31 is that whole day, UTC). Each run reads its slot with scheduledTime(). A deployment whose overlap is
not allowAll runs one slot at a time; otherwise at most --max-running at once (default 1).

  --preview        only say how many runs it would make; nothing starts
  --wait           after starting, print its progress until it ends (exit 1 if a run failed)
  --status ID      print a backfill's progress
  --cancel ID      cancel a backfill as a whole
  --url URL        the Sluice web app (default SLUICE_URL)
  --token TOKEN    an API token with the operator role (default SLUICE_TOKEN; an admin makes one on the Tokens page)`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'max-running': { type: 'string' },
        preview: { type: 'boolean' },
        wait: { type: 'boolean' },
        status: { type: 'string' },
        cancel: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
      },
    });
    const url = (values.url ?? process.env.SLUICE_URL ?? '').replace(/\/+$/, '');
    const token = values.token ?? process.env.SLUICE_TOKEN ?? '';
    if (!url) throw new UsageError('no web app: pass --url or set SLUICE_URL (e.g. http://localhost:3000)');
    if (!token) throw new UsageError('no API token: pass --token or set SLUICE_TOKEN (an admin makes one on the Tokens page)');
    const api = (path: string, init: { method?: string; body?: unknown } = {}) => call(url, token, path, init);

    if (values.status || values.cancel) {
      const id = (values.status ?? values.cancel)!;
      const path = `/api/backfills/${encodeURIComponent(id)}`;
      if (values.cancel) {
        const { cancelled } = (await api(path, { method: 'DELETE' })) as { cancelled: boolean };
        console.log(cancelled ? `backfill ${id}: cancelling (no more runs start; running ones are asked to stop)` : `backfill ${id}: had ended already`);
        return EXIT.ok;
      }
      console.log(progressLine((await api(path)) as BackfillInfo));
      return EXIT.ok;
    }

    const [flow, deployment, ...extra] = positionals;
    if (!flow || !deployment || extra.length > 0) throw new UsageError('give FLOW and DEPLOYMENT (and nothing more)');
    if (!values.from || !values.to) throw new UsageError('give the range: --from DATE --to DATE');
    const maxRunning = values['max-running'] === undefined ? undefined : Number(values['max-running']);
    if (maxRunning !== undefined && !Number.isInteger(maxRunning)) throw new UsageError(`--max-running must be a whole number (got ${values['max-running']})`);
    const body = { flow, deployment, from: values.from, to: values.to, ...(maxRunning !== undefined && { maxRunning }), ...(values.preview && { preview: true }) };
    const answer = (await api('/api/backfills', { method: 'POST', body })) as BackfillPreview & { id?: string };
    const pace = answer.maxRunning === 1 ? 'one at a time' : `at most ${answer.maxRunning} at once`;
    const slots = answer.runs ? ` (${answer.firstSlot} … ${answer.lastSlot})` : '';
    if (!answer.id) {
      console.log(`${flow}.${deployment}: ${answer.runs} runs${slots}, ${pace}; nothing started (--preview)`);
      return EXIT.ok;
    }
    console.log(`backfill ${answer.id}: started, ${answer.runs} runs${slots}, ${pace}`);
    if (!values.wait) return EXIT.ok;
    for (;;) {
      const info = (await api(`/api/backfills/${encodeURIComponent(answer.id)}`)) as BackfillInfo;
      console.log(progressLine(info));
      if (info.state !== 'running') return failedOf(info) > 0 || info.state !== 'completed' ? EXIT.failed : EXIT.ok;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  },
};

const failedOf = (b: BackfillInfo) => (b.runs.failed ?? 0) + (b.runs.timed_out ?? 0) + (b.runs.terminated ?? 0);

function progressLine(b: BackfillInfo): string {
  return `backfill ${b.id}: ${b.state}, ${b.done} of ${b.total} done, ${failedOf(b)} failed, ${b.runs.running ?? 0} running, ${b.runs.cancelled ?? 0} cancelled`;
}

async function call(url: string, token: string, path: string, init: { method?: string; body?: unknown }): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined && { 'content-type': 'application/json' }) },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
  } catch (err) {
    throw new BackfillRequestError(`cannot reach the web app at ${url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: { error?: { message?: string } } | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BackfillRequestError(`the web app at ${url} answered ${res.status} with no JSON: is it the Sluice web app?`);
  }
  if (!res.ok) throw new BackfillRequestError(`${json?.error?.message ?? `the web app answered ${res.status}`} (HTTP ${res.status})`);
  return json;
}
