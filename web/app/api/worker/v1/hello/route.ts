// GET /api/worker/v1/hello: the version handshake a worker makes at start (sluice/internal/compat checkServer). The
// worker's token and Sluice-Worker header are checked by authorizeWorker, which refuses a version this server
// does not serve; a welcome worker learns the server's version and the protocols it serves.
import { SLUICE_VERSION, WORKER_PROTOCOL } from 'sluice/internal/compat';
import type { HelloAnswer } from 'sluice/internal/compat';
import { authorizeWorker } from '@/lib/auth/guard';
import { answer } from '../../../_lib/respond';
import { otherMethods } from '../../../_lib/methods';

export const dynamic = 'force-dynamic';
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/worker/v1/hello');

export async function GET(req: Request) {
  return answer('say hello to a worker', async () => {
    const caller = await authorizeWorker(req, { declared: 'required' });
    if (caller instanceof Response) return caller;
    const hello: HelloAnswer = { server: { version: SLUICE_VERSION }, protocol: { current: WORKER_PROTOCOL.current, oldest: WORKER_PROTOCOL.oldest } };
    return Response.json(hello, { headers: { 'cache-control': 'no-store' } });
  });
}
