// GET /api/flows: every flow the workers published, with its parameters' JSON Schema and deployments, and the
// tasks Python workers publish for flows to call, with their declared options (viewer).
import { authorizeRequest } from '@/lib/auth/guard';
import { getSluice } from '@/lib/sluice.server';
import { answer } from '../_lib/respond';
import { otherMethods } from '../_lib/methods';

export const dynamic = 'force-dynamic';
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/flows');

export async function GET(req: Request) {
  return answer('list flows', async () => {
    const caller = await authorizeRequest(req, 'viewer');
    if (caller instanceof Response) return caller;
    const sluice = await getSluice();
    const [flows, tasks] = await Promise.all([sluice.listFlows(), sluice.listTasks()]);
    return Response.json({ flows, tasks });
  });
}
