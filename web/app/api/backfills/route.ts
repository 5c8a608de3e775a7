// GET /api/backfills?flow=&deployment=: a deployment's newest backfills (viewer). POST /api/backfills: preview or start one (operator).
import { authorizeRequest } from '@/lib/auth/guard';
import { getSluice } from '@/lib/sluice.server';
import { otherMethods } from '../_lib/methods';
import { answer, parseBody, parseQuery } from '../_lib/respond';
import { backfillBody, listBackfillsQuery } from '../_lib/schemas';

export const dynamic = 'force-dynamic';
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/backfills');

export async function GET(req: Request) {
  return answer('list backfills', async () => {
    const caller = await authorizeRequest(req, 'viewer');
    if (caller instanceof Response) return caller;
    const q = parseQuery(req, listBackfillsQuery);
    if (!q.ok) return q.response;
    return Response.json({ backfills: await (await getSluice()).listBackfills(q.value.flow, q.value.deployment) });
  });
}

export async function POST(req: Request) {
  return answer('backfill', async () => {
    // A preview starts nothing, but it is the start form's first step: the same role as starting.
    const caller = await authorizeRequest(req, 'operator');
    if (caller instanceof Response) return caller;
    const body = await parseBody(req, backfillBody);
    if (!body.ok) return body.response;
    const { flow, deployment, preview, ...range } = body.value;
    const sluice = await getSluice();
    if (preview) return Response.json(await sluice.previewBackfill(flow, deployment, range));
    const started = await sluice.backfill(flow, deployment, range, { startedBy: caller.startedBy });
    const self = `/api/backfills/${encodeURIComponent(started.id)}`;
    return Response.json({ ...started, api: self }, { status: 201, headers: { location: self } });
  });
}
