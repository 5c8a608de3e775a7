/**
 * Which methods each API route serves, and the 405 (JSON error, `Allow` header per RFC 9110) for every other:
 * routes export `otherMethods(route)` for the methods Next dispatches, and `refuseUnknownMethods()` answers the
 * methods Next cannot dispatch at all before Next sees them.
 */
import { Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { apiError } from '@/lib/auth/api-error';

/** Each route of the HTTP API (as in the OpenAPI document) and the methods it serves besides HEAD and OPTIONS. */
export const API_ROUTES = {
  '/api/runs': ['GET', 'POST'],
  '/api/runs/{workflowId}': ['GET'],
  '/api/runs/{workflowId}/logs': ['GET'],
  '/api/runs/{workflowId}/question': ['GET', 'POST'],
  '/api/runs/{workflowId}/artifacts': ['GET'],
  '/api/run-actions': ['POST'],
  '/api/backfills': ['GET', 'POST'],
  '/api/backfills/{id}': ['GET', 'DELETE'],
  '/api/flows': ['GET'],
  '/api/health': ['GET'],
  '/api/triggers/{name}': ['POST'],
  '/api/openapi.json': ['GET'],
  '/api/worker/v1/hello': ['GET'],
  '/api/worker/v1/logs': ['POST'],
  '/api/worker/v1/flows': ['GET', 'POST'],
  '/api/worker/v1/tasks': ['GET', 'POST'],
  '/api/worker/v1/replay-findings': ['POST'],
} as const satisfies Record<string, readonly string[]>;

type Route = keyof typeof API_ROUTES;

function allowOf(served: readonly string[]): string {
  return [...new Set([...served, ...(served.includes('GET') ? ['HEAD'] : []), 'OPTIONS'])].sort().join(', ');
}

function refusal(method: string, allow: string): Response {
  const res = apiError('method_not_allowed', `${method.slice(0, 20)} is not served here: this route answers ${allow} only.`);
  res.headers.set('allow', allow);
  return res;
}

/**
 * Handlers for the methods a route does not serve, and OPTIONS answering the ones it does (Next's own OPTIONS
 * would count these 405 handlers as served).
 *
 * @example export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/runs');
 */
export function otherMethods(route: Route): Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS', (req: Request) => Response> {
  const allow = allowOf(API_ROUTES[route]);
  const refuse = (req: Request) => refusal(req.method, allow);
  return { GET: refuse, POST: refuse, PUT: refuse, PATCH: refuse, DELETE: refuse, OPTIONS: () => new Response(null, { status: 204, headers: { allow } }) };
}

// The methods Next dispatches; anything else fails inside Next: TRACE cannot become a fetch Request (500),
// others (QUERY, PROPFIND …) get an empty 400 from the route.
const NEXT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH']);
const ROUTE_PATTERNS = Object.entries(API_ROUTES).map(
  ([route, served]) => [new RegExp(`^${route.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}/?$`), allowOf(served)] as const,
);
// Pages are read with GET and their forms post server actions.
const PAGE_ALLOW = 'GET, HEAD, OPTIONS, POST';

async function refuseUnknown(req: IncomingMessage, res: ServerResponse): Promise<void> {
  req.resume();
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  const allow = ROUTE_PATTERNS.find(([pattern]) => pattern.test(pathname))?.[1] ?? PAGE_ALLOW;
  const answer = refusal(req.method ?? '', allow);
  res.writeHead(answer.status, Object.fromEntries(answer.headers));
  res.end(await answer.text());
}

/**
 * Answers requests whose method Next cannot dispatch with the 405 above, before Next sees them. Installed once
 * by instrumentation.ts in the server process: it wraps `emit` of Node's HTTP servers for 'request' events.
 */
const INSTALLED = Symbol.for('sluice.refuseUnknownMethods');

export function refuseUnknownMethods(): void {
  const proto = Server.prototype as Server & { [INSTALLED]?: true };
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const [req, res] = args as [IncomingMessage, ServerResponse];
      if (!NEXT_METHODS.has(req.method ?? '')) {
        refuseUnknown(req, res).catch(() => res.destroy());
        return true;
      }
    }
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
  } as typeof emit;
}
