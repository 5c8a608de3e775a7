// POST /api/run-actions: cancel or re-run several runs at once (operator), the listed ones or all matching a filter; a result per run.
import { apiError } from '@/lib/auth/api-error';
import { authorizeRequest } from '@/lib/auth/guard';
import { actOnRuns, MAX_BULK_RUNS, runsMatching } from '@/lib/run-actions';
import { getSluice } from '@/lib/sluice.server';
import { otherMethods } from '../_lib/methods';
import { answer, parseBody, runFilterOf } from '../_lib/respond';
import { runActionsBody } from '../_lib/schemas';

export const dynamic = 'force-dynamic';
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/run-actions');

export async function POST(req: Request) {
  return answer('act on runs', async () => {
    const caller = await authorizeRequest(req, 'operator');
    if (caller instanceof Response) return caller;
    const body = await parseBody(req, runActionsBody);
    if (!body.ok) return body.response;
    const sluice = await getSluice();
    let runs = body.value.runs;
    if (body.value.filter) {
      const matching = await runsMatching(sluice, runFilterOf(body.value.filter));
      if ('tooMany' in matching) {
        return apiError('bad_request', `More than ${MAX_BULK_RUNS} runs match this filter, the most one request acts on; nothing was done. Narrow the filter (a flow, a status, a time range).`);
      }
      // The caller confirms what they act on: a filter that matches other runs than they counted does nothing.
      if (matching.runs.length !== body.value.expect) {
        return apiError('conflict', `This filter matches ${matching.runs.length} runs now, not the ${body.value.expect} expected; nothing was done. Check the runs it matches (GET /api/runs with the same filters) and send the new number.`);
      }
      runs = matching.runs;
    }
    const results = await actOnRuns(sluice, body.value.action, runs ?? [], caller.startedBy);
    return Response.json({ action: body.value.action, ok: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, results });
  });
}
