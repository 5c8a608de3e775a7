// GET /api/openapi.json: the API's OpenAPI document. Served to any logged-in user or token holder: the
// issue wants nothing answering anonymously but log-in and health, and the document is no exception.
import { authorizeRequest } from '@/lib/auth/guard';
import { getStore } from '@/lib/sluice.server';
import { openApiDocument } from '../_lib/openapi';
import { answer, publicOrigin } from '../_lib/respond';
import { otherMethods } from '../_lib/methods';

export const dynamic = 'force-dynamic';
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/openapi.json');

export async function GET(req: Request) {
  return answer('read the OpenAPI document', async () => {
    const caller = await authorizeRequest(req, 'viewer');
    if (caller instanceof Response) return caller;
    return Response.json(openApiDocument(publicOrigin(req), await (await getStore()).listFlows()));
  });
}
