// /temporal/…: Temporal Web, served through the web app behind its log-in and roles (every method; the
// rules are in lib/temporal-web/access.ts, the forwarding in lib/temporal-web/forward.server.ts).
import { apiError } from '@/lib/auth/api-error';
import { currentUser } from '@/lib/auth/guard';
import { getEnv } from '@/lib/env';
import { TEMPORAL_WEB_PATH } from '@/lib/links';
import { forwardToTemporalWeb, withPolicy } from '@/lib/temporal-web/forward.server';
import { answer } from '@/app/api/_lib/respond';

export const dynamic = 'force-dynamic';

async function handle(req: Request): Promise<Response> {
  const res = await answer('open Temporal Web', () => forward(req));
  // forward() gives what it answers its policies; an outage's 503 from answer() gets the same sandboxing one.
  return res.headers.has('content-security-policy') ? res : withPolicy(res);
}

async function forward(req: Request): Promise<Response> {
  const user = await currentUser();
  if (!user) {
    const { pathname, search } = new URL(req.url);
    // The UI's own calls get 401 (it shows an error); a page is sent to log in, then back here.
    if (pathname.startsWith(`${TEMPORAL_WEB_PATH}/api/`)) return withPolicy(apiError('unauthorized', 'Log in to Sluice first: Temporal Web is served behind its log-in.'));
    return withPolicy(new Response(null, { status: 307, headers: { location: `/login?next=${encodeURIComponent(pathname + search)}`, 'cache-control': 'no-store' } }));
  }
  const { temporalWeb, secureCookies, temporal } = getEnv();
  return forwardToTemporalWeb(req, user, { origin: temporalWeb.upstream, secureCookies, namespace: temporal.namespace });
}

export { handle as GET, handle as HEAD, handle as POST, handle as PUT, handle as PATCH, handle as DELETE, handle as OPTIONS };
