// GET /api/backfills/{id}: a backfill's progress (viewer). DELETE: cancel it as a whole (operator).
import { authorizeRequest } from '@/lib/auth/guard';
import { getSluice } from '@/lib/sluice.server';
import { otherMethods } from '../../_lib/methods';
import { answer, parsePath } from '../../_lib/respond';
import { backfillPath } from '../../_lib/schemas';

export const dynamic = 'force-dynamic';
export const { POST, PUT, PATCH, OPTIONS } = otherMethods('/api/backfills/{id}');

type Params = { params: Promise<{ id: string }> };

export async function GET(req: Request, { params }: Params) {
  return answer('read a backfill', async () => {
    const caller = await authorizeRequest(req, 'viewer');
    if (caller instanceof Response) return caller;
    const path = parsePath(await params, backfillPath);
    if (!path.ok) return path.response;
    return Response.json(await (await getSluice()).getBackfill(path.value.id));
  });
}

export async function DELETE(req: Request, { params }: Params) {
  return answer('cancel a backfill', async () => {
    const caller = await authorizeRequest(req, 'operator');
    if (caller instanceof Response) return caller;
    const path = parsePath(await params, backfillPath);
    if (!path.ok) return path.response;
    const sluice = await getSluice();
    const cancelled = await sluice.cancelBackfill(path.value.id);
    return Response.json({ cancelled, backfill: await sluice.getBackfill(path.value.id) });
  });
}
