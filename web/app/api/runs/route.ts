// GET /api/runs: list runs (viewer). POST /api/runs: start a run of a flow or deployment (operator).
import { apiError } from '@/lib/auth/api-error';
import { authorizeRequest } from '@/lib/auth/guard';
import { getSluice } from '@/lib/sluice.server';
import { answer, parseBody, parseQuery, runFilterOf, runPageUrl } from '../_lib/respond';
import { listRunsQuery, startRunBody } from '../_lib/schemas';
import { otherMethods } from '../_lib/methods';
import { openPageToken, sealPageToken } from '../_lib/page-token';

export const dynamic = 'force-dynamic';
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/runs');

export async function GET(req: Request) {
  return answer('list runs', async () => {
    const caller = await authorizeRequest(req, 'viewer');
    if (caller instanceof Response) return caller;
    const q = parseQuery(req, listRunsQuery);
    if (!q.ok) return q.response;
    const { pageSize, pageToken: sealed, after, before, status, waiting, ...rest } = q.value;
    const pageToken = sealed === undefined ? undefined : openPageToken(sealed);
    if (pageToken === null) {
      return apiError('not_found', 'There is no such page: this pageToken was not handed out by this server (or its secret changed since). Pass back the nextPageToken of the previous page unchanged, or leave it out for the first page.');
    }
    const sluice = await getSluice();
    const page = await sluice.listRuns(runFilterOf({ ...rest, status, waiting, after, before }), { pageSize, pageToken });
    return Response.json({ ...page, ...(page.nextPageToken ? { nextPageToken: sealPageToken(page.nextPageToken) } : {}) });
  });
}

export async function POST(req: Request) {
  return answer('start a run', async () => {
    const caller = await authorizeRequest(req, 'operator');
    if (caller instanceof Response) return caller;
    const body = await parseBody(req, startRunBody);
    if (!body.ok) return body.response;
    const { flow, deployment, parameters } = body.value;
    const sluice = await getSluice();
    const ref = deployment
      ? await sluice.startDeployment(flow, deployment, { parameters: parameters as Record<string, unknown> | undefined, startedBy: caller.startedBy })
      : await sluice.start(flow, parameters ?? {}, { startedBy: caller.startedBy });
    const self = `/api/runs/${encodeURIComponent(ref.workflowId)}?runId=${encodeURIComponent(ref.runId)}`;
    return Response.json(
      { workflowId: ref.workflowId, runId: ref.runId, url: runPageUrl(req, ref), api: self, temporalWebUrl: sluice.temporalWebUrl(ref) },
      { status: 201, headers: { location: self } },
    );
  });
}
