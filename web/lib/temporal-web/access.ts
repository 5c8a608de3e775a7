/**
 * Who may call what in Temporal Web as the web app serves it (/temporal): the least role each request needs.
 * Allow-lists, never deny-lists: viewers may read (GET, HEAD, and the one POST that only reads, a query);
 * operators may also do to runs and schedules what Sluice lets them do (cancel, terminate, signal, reset a run;
 * pause, resume, trigger a schedule) — in the namespace Sluice serves (TEMPORAL_NAMESPACE) only, never in
 * temporal-system or another team's namespace on the same server; everything else — starting workflows, editing or deleting schedules,
 * batch operations, workflow updates, activity commands, namespaces, worker deployments, and any endpoint a
 * later Temporal Web adds — needs an admin. Paths are the UI server's own, without the /temporal prefix.
 * Pure (no server imports) so the unit tests can walk the table; the table is in web/README.md.
 */
import type { Role } from '../auth/roles';

export interface Requirement {
  minRole: Role;
  /** What the request does, in words, for the refusal ("This needs the operator role (to terminate a run)"). */
  action: string;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const AMBIGUOUS_PATH = /%2f|%5c|\\|(^|\/)(\.|%2e){1,2}(\/|$)/i;
const SEG = '[^/]+';
// The namespace is captured and compared with Sluice's own, as the UI spells it (encodeURIComponent); any
// other spelling of the same name is simply another namespace here, for admins.
const NS = `/api/v1/namespaces/(${SEG})`;
const RUN = `${NS}/workflows/${SEG}`;

interface Rule {
  pattern: RegExp;
  minRole: Role;
  action: string;
  /** For an endpoint whose body decides (a schedule patch): the role the parsed JSON body needs. */
  byBody?: (body: unknown) => Requirement;
}

const rule = (path: string, minRole: Role, action: string, byBody?: Rule['byBody']): Rule => ({ pattern: new RegExp(`^${path}$`), minRole, action, byBody });

// POST endpoints below admin (Temporal's HTTP API, api v1.53 as Temporal Web 2.42 calls it).
const POST_RULES: Rule[] = [
  // The UI's only reading POST (stack trace, workflow metadata); the UI server's own read-only mode allows it too.
  rule(`${RUN}/query/${SEG}`, 'viewer', 'query a run'),
  rule(`${RUN}/cancel`, 'operator', 'cancel a run'),
  rule(`${RUN}/terminate`, 'operator', 'terminate a run'),
  rule(`${RUN}/signal/${SEG}`, 'operator', 'signal a run'),
  rule(`${RUN}/reset`, 'operator', 'reset a run'),
  rule(`${NS}/schedules/${SEG}/patch`, 'operator', 'pause, resume or trigger a schedule', schedulePatch),
];

// A schedule patch pauses, unpauses, triggers — or backfills, which Sluice does not offer operators.
const OPERATOR_PATCH = new Set(['pause', 'unpause', 'triggerImmediately', 'trigger_immediately']);

function schedulePatch(body: unknown): Requirement {
  const patch = typeof body === 'object' && body !== null ? (body as { patch?: unknown }).patch : undefined;
  const keys = typeof patch === 'object' && patch !== null && !Array.isArray(patch) ? Object.keys(patch) : [];
  if (keys.length > 0 && keys.every((k) => OPERATOR_PATCH.has(k))) return { minRole: 'operator', action: 'pause, resume or trigger a schedule' };
  return { minRole: 'admin', action: 'backfill or otherwise change a schedule' };
}

/** True when {@link requiredRole} needs the request's JSON body to decide. */
export function decidedByBody(method: string, path: string): boolean {
  return method.toUpperCase() === 'POST' && POST_RULES.some((r) => r.byBody && r.pattern.test(path));
}

export interface RequestContext {
  /** The namespace Sluice serves (TEMPORAL_NAMESPACE); the rules below admin hold there only. */
  namespace: string;
  /** The parsed JSON body, read only when {@link decidedByBody}; `undefined` there (missing or not JSON) needs an admin. */
  body?: unknown;
}

/**
 * The least role `method path` needs.
 *
 * @example requiredRole('POST', '/api/v1/namespaces/default/workflows/x/terminate', { namespace: 'default' }).minRole // 'operator'
 */
export function requiredRole(method: string, path: string, { namespace, body }: RequestContext): Requirement {
  const m = method.toUpperCase();
  if (READ_METHODS.has(m)) return { minRole: 'viewer', action: 'read Temporal Web' };
  // An encoded slash or a dot segment could be read as another path upstream than the one matched here:
  // such writes are left to admins (an id with a '/' in it is rare; Sluice's own pages cancel those runs).
  if (AMBIGUOUS_PATH.test(path)) return { minRole: 'admin', action: 'change Temporal through a path with an encoded slash or a dot segment' };
  if (m === 'POST') {
    for (const r of POST_RULES) {
      const match = r.pattern.exec(path);
      if (!match) continue;
      if (match[1] !== encodeURIComponent(namespace)) {
        return { minRole: 'admin', action: `${r.action} in the namespace ${match[1]!.slice(0, 100)} (Sluice serves ${namespace}; roles below admin act there only)` };
      }
      return r.byBody ? r.byBody(body) : { minRole: r.minRole, action: r.action };
    }
  }
  return { minRole: 'admin', action: 'change Temporal beyond runs and schedules (start workflows, edit schedules, batch operations, namespaces)' };
}

/** The UI server's /api/v1/settings switches, so the UI also hides what the role may not do (the proxy refuses it anyway). */
export function settingsForRole(settings: Record<string, unknown>, role: Role): Record<string, unknown> {
  if (role === 'admin') return settings;
  if (role === 'viewer') return { ...settings, DisableWriteActions: true };
  return {
    ...settings,
    StartWorkflowDisabled: true,
    BatchActionsDisabled: true,
    WorkflowUpdateDisabled: true,
    ActivityCommandsDisabled: true,
  };
}
