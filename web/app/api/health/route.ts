// GET /api/health: public (for load balancers and docker healthchecks). Says whether the store and
// Temporal answer — nothing more, since anyone may ask.
import { getSluice, getStore } from '@/lib/sluice.server';
import { otherMethods } from '../_lib/methods';

export const dynamic = 'force-dynamic';
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/health');

const TIMEOUT_MS = 3_000;

async function check(name: string, probe: () => Promise<unknown>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS))),
    ]);
    return 'ok';
  } catch (err) {
    console.error(`[sluice] health: ${name} is down:`, (err as Error).message);
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

export async function GET() {
  const [store, temporal] = await Promise.all([
    check('the store', async () => (await getStore()).ping()),
    check('Temporal', async () => (await getSluice()).temporal.workflowService.getSystemInfo({})),
  ]);
  const ok = store === 'ok' && temporal === 'ok';
  return Response.json({ status: ok ? 'ok' : 'degraded', store, temporal }, { status: ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
