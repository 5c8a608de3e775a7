// GET /api/flows: every flow the workers published, with its parameters' JSON Schema and deployments (viewer).
import { authorizeRequest } from '@/lib/auth/guard';
import { getSluice } from '@/lib/sluice.server';
import { answer } from '../_lib/respond';
import { otherMethods } from '../_lib/methods';

export const dynamic = 'force-dynamic';
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/flows');

export async function GET(req: Request) {
  const caller = await authorizeRequest(req, 'viewer');
  if (caller instanceof Response) return caller;
  return answer('list flows', async () => Response.json({ flows: await (await getSluice()).listFlows() }));
}
