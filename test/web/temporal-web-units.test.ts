// Temporal Web through Sluice, without a server: the paths forwarded, the role each of the UI server's
// endpoints needs (the table in web/README.md), the policy its answers get and the TEMPORAL_UI_UPSTREAM
// setting. temporal-web.test.ts and temporal-web-xss.test.ts check the same live.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EnvError, parseEnv } from '../../web/lib/env';
import { LARGEST_BODY_LIMIT } from '../../web/lib/read-body';
import { temporalWebPolicy } from '../../web/lib/security-headers';
import { decidedByBody, requiredRole, settingsForRole } from '../../web/lib/temporal-web/access';
import { forwardedPath } from '../../web/lib/temporal-web/paths';

const NS = '/api/v1/namespaces/default';
const RUN = `${NS}/workflows/ingest%3Anightly`;
const role = (method: string, path: string, body?: unknown) => requiredRole(method, path, { namespace: 'default', body }).minRole;

describe('which paths are forwarded', () => {
  test("Temporal Web's pages, assets and API, as they are spelled; the bare prefix gets its slash", () => {
    const served = [
      ['/temporal', '/temporal/'],
      ['/temporal/', '/temporal/'],
      ['/temporal/namespaces/default/workflows', '/temporal/namespaces/default/workflows'],
      ['/temporal/namespaces/default/workflows/a%2Fb/run-1/history', '/temporal/namespaces/default/workflows/a%2Fb/run-1/history'],
      ['/temporal/namespaces/default/workflows/', '/temporal/namespaces/default/workflows/'],
      ['/temporal/select-namespace', '/temporal/select-namespace'],
      ['/temporal/_app/immutable/entry/start.MyDq-rKY.js', '/temporal/_app/immutable/entry/start.MyDq-rKY.js'],
      ['/temporal/favicon.png', '/temporal/favicon.png'],
      ['/temporal/site.webmanifest', '/temporal/site.webmanifest'],
      [`/temporal${RUN}/history`, `/temporal${RUN}/history`],
      ['/temporal/api/v1/settings', '/temporal/api/v1/settings'],
    ];
    for (const [pathname, upstream] of served) assert.deepEqual(forwardedPath(pathname!), { ok: true, path: upstream }, pathname);
  });

  test('refuses the markdown page, a second prefix, other spellings and anything the UI server could read otherwise', () => {
    const refused = [
      '/temporal/render', '/temporal/RENDER', '/temporal/render/', '/temporal/Render', '/temporal/%72ender',
      '/temporal/temporal/render', '/temporal/temporal', '/temporal/Temporal/render', '/temporal/TEMPORAL/render',
      '/temporal/%74emporal/render', '/temporal/temporal%2Frender', '/temporal/temporal%252Frender', '/temporal//temporal/render',
      '/temporal/namespaces//x', '/temporal/namespaces/%2e/x', '/temporal/namespaces/%2E%2E/render', '/temporal/namespaces/./x',
      '/temporal/namespaces/a%5Cb', '/temporal/namespaces/a%00b', '/temporal/namespaces/a%0Ab', '/temporal/namespaces/%zz',
      '/temporal/api/render', '/temporal/api/v2/settings', '/temporal/auth/sso', '/temporal/login', '/temporal/healthz',
      '/temporalx', '/temporal.', '/Temporal/namespaces', '/api/v1/settings',
    ];
    for (const pathname of refused) assert.equal(forwardedPath(pathname).ok, false, pathname);
    const refusal = forwardedPath('/temporal/temporal/render');
    assert.ok(!refusal.ok && /not one of Temporal Web's pages, assets or API/.test(refusal.reason), 'the refusal says why');
  });
});

describe("the policy Sluice adds to Temporal Web's answers", () => {
  test('HTML runs its own inline scripts by hash, never any inline script, handler attribute or eval', () => {
    const page = temporalWebPolicy({ contentType: 'text/html; charset=utf-8', inlineScriptHashes: ['sha256-abc='] });
    assert.equal(page.split('; ').find((d) => d.startsWith('script-src ')), "script-src 'self' 'sha256-abc='");
    assert.doesNotMatch(page, /unsafe-eval|unsafe-hashes/);
    assert.match(page, /frame-ancestors 'none'/);
  });

  test('anything else opened as a document runs nothing; scripts (and the editor workers) load from Sluice only', () => {
    for (const type of ['application/json', 'image/svg+xml', 'text/plain', null]) assert.equal(temporalWebPolicy({ contentType: type }), "default-src 'none'; frame-ancestors 'none'; sandbox", String(type));
    assert.match(temporalWebPolicy({ contentType: 'text/javascript' }), /script-src 'self'$/);
  });
});

describe('bounded bodies', () => {
  test("Next's own copy of a request body is kept above the largest limit by more than a network chunk", async () => {
    // Plain JavaScript (see its header), so imported untyped.
    const { default: nextConfig } = (await import('../../web/next.config.mjs' as string)) as { default: { experimental: { proxyClientMaxBodySize: number } } };
    const kept = nextConfig.experimental.proxyClientMaxBodySize;
    assert.ok(kept >= LARGEST_BODY_LIMIT + 256 * 1024, `${kept} vs ${LARGEST_BODY_LIMIT}`);
  });
});

describe('who may call what in Temporal Web', () => {
  test('viewers read: every GET, HEAD and OPTIONS, pages and assets included, and queries', () => {
    for (const path of ['/', '/namespaces/default/workflows', '/_app/immutable/entry/start.js', `${RUN}/history`, '/api/v1/settings', `${NS}/schedules`]) {
      for (const method of ['GET', 'get', 'HEAD', 'OPTIONS']) assert.equal(role(method, path), 'viewer', `${method} ${path}`);
    }
    assert.equal(role('POST', `${RUN}/query/__stack_trace`), 'viewer');
    assert.equal(role('POST', `${RUN}/query/__temporal_workflow_metadata`), 'viewer');
  });

  test('operators: cancel, terminate, signal and reset a run; pause, resume and trigger a schedule', () => {
    for (const path of [`${RUN}/cancel`, `${RUN}/terminate`, `${RUN}/signal/approve`, `${RUN}/reset`]) assert.equal(role('POST', path), 'operator', path);
    const patch = `${NS}/schedules/scheduledFlow.nightly/patch`;
    assert.ok(decidedByBody('POST', patch));
    for (const p of [{ pause: 'by hand' }, { unpause: 'again' }, { triggerImmediately: { overlapPolicy: 1 } }, { trigger_immediately: {} }]) {
      assert.equal(role('POST', patch, { patch: p, identity: 'ui' }), 'operator', JSON.stringify(p));
    }
  });

  test('a write through a path upstream could read otherwise (encoded slash, dot segments) is for admins', () => {
    for (const path of [
      `${RUN}/query/..%2Fterminate`,
      `${RUN}/query/x%2f..%2fterminate`,
      `${NS}/workflows/a%2Fb/terminate`,
      `${NS}/workflows/x/query/../terminate`,
      `${NS}/workflows/x/%2e%2e/y/cancel`,
      `${NS}/workflows/x\\y/cancel`,
    ]) {
      assert.equal(role('POST', path), 'admin', path);
    }
    assert.equal(role('GET', `${NS}/workflows/a%2Fb/history`), 'viewer', 'reading stays open to viewers');
    assert.equal(role('POST', `${RUN}/terminate`), 'operator', 'an ordinary encoded id (%3A) is not ambiguous');
  });

  test("operators act in Sluice's namespace only: the same calls elsewhere (temporal-system, another team's) are for admins", () => {
    for (const ns of ['temporal-system', 'other', 'Default', '%64efault', 'default2']) {
      const other = `/api/v1/namespaces/${ns}/workflows/w`;
      for (const path of [`${other}/cancel`, `${other}/terminate`, `${other}/signal/go`, `${other}/reset`, `${other}/query/__stack_trace`]) {
        assert.equal(role('POST', path), 'admin', path);
      }
      assert.equal(role('POST', `/api/v1/namespaces/${ns}/schedules/s/patch`, { patch: { pause: 'x' } }), 'admin', ns);
    }
    const refused = requiredRole('POST', '/api/v1/namespaces/temporal-system/workflows/w/terminate', { namespace: 'default' });
    assert.match(refused.action, /terminate a run in the namespace temporal-system \(Sluice serves default/);
    assert.equal(requiredRole('POST', '/api/v1/namespaces/team-a/workflows/w/terminate', { namespace: 'team-a' }).minRole, 'operator', 'its own namespace, whatever its name');
  });

  test('everything else is for admins, endpoints a later Temporal Web adds included', () => {
    const patch = `${NS}/schedules/s/patch`;
    for (const body of [{ patch: { backfillRequest: [{}] } }, { patch: { pause: 'x', backfill_request: [] } }, { patch: {} }, {}, undefined, 'not json', { patch: [] }]) {
      assert.equal(role('POST', patch, body), 'admin', JSON.stringify(body));
    }
    const adminOnly: [string, string][] = [
      ['POST', `${RUN}/update/approve`],
      ['POST', `${NS}/workflows/new-id`], // start a workflow
      ['POST', `${NS}/workflows/new-id/signal-with-start/go`],
      ['POST', `${NS}/workflows/execute-multi-operation`],
      ['POST', `${RUN}/update-options`],
      ['POST', `${NS}/schedules/s`], // create
      ['POST', `${NS}/schedules/s/update`],
      ['DELETE', `${NS}/schedules/s`],
      ['POST', `${NS}/batch-operations/job-1`],
      ['POST', `${NS}/batch-operations/job-1/stop`],
      ['POST', `${NS}/activities/pause`],
      ['POST', `${NS}/activities/reset`],
      ['POST', '/api/v1/namespaces'],
      ['POST', `${NS}/update`],
      ['POST', `${NS}/worker-deployments/d/set-current-version`],
      ['POST', '/api/v1/nexus/endpoints'],
      ['PUT', `${RUN}/terminate`],
      ['PATCH', `${NS}/schedules/s`],
      ['POST', `${RUN}/terminate/`], // not the exact endpoint: not on any allow-list
      ['POST', `${RUN}/query/`],
      ['POST', `${NS}/workflows//terminate`],
      ['POST', '/auth/sso'],
    ];
    for (const [method, path] of adminOnly) assert.equal(role(method, path), 'admin', `${method} ${path}`);
  });

  test('the UI also hides what a role may not do', () => {
    const settings = { DisableWriteActions: false, StartWorkflowDisabled: false, Version: '2.42.1' };
    assert.equal(settingsForRole(settings, 'viewer').DisableWriteActions, true);
    const operator = settingsForRole(settings, 'operator');
    assert.equal(operator.DisableWriteActions, false);
    assert.equal(operator.StartWorkflowDisabled, true);
    assert.equal(operator.BatchActionsDisabled, true);
    assert.deepEqual(settingsForRole(settings, 'admin'), settings);
  });
});

describe('TEMPORAL_UI_UPSTREAM', () => {
  test('defaults to the dev server UI on 127.0.0.1:8233; links go through the web app', () => {
    const env = parseEnv({});
    assert.equal(env.temporalWeb.upstream, 'http://127.0.0.1:8233');
    assert.equal(env.temporalWeb.linkBase, '/temporal');
    assert.equal(parseEnv({ NEXTAUTH_URL: 'https://sluice.example.org/' }).temporalWeb.linkBase, 'https://sluice.example.org/temporal');
  });

  test('takes the UI server address with no path, or with its public path /temporal', () => {
    assert.equal(parseEnv({ TEMPORAL_UI_UPSTREAM: 'http://temporal-ui:8080' }).temporalWeb.upstream, 'http://temporal-ui:8080');
    assert.equal(parseEnv({ TEMPORAL_UI_UPSTREAM: 'http://127.0.0.1:8233/temporal/' }).temporalWeb.upstream, 'http://127.0.0.1:8233');
  });

  test('a malformed address is refused with what to write instead', () => {
    for (const value of ['temporal-ui:8080', 'ftp://temporal-ui', 'http://temporal-ui:8080/ui', 'http://temporal-ui:8080/?x=1']) {
      assert.throws(
        () => parseEnv({ TEMPORAL_UI_UPSTREAM: value }),
        (e: Error) => e instanceof EnvError && /TEMPORAL_UI_UPSTREAM: must be .*e\.g\. http:\/\/temporal-ui:8080/.test(e.message),
        value,
      );
    }
  });
});
