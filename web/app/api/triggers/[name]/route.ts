// POST /api/triggers/{name}: a signed call ("a file arrived") starts a run of the deployment whose `http` trigger
// is `name`. No session or token: the X-Sluice-Signature header, made with the trigger's secret, is the credential.
import { apiError } from '@/lib/auth/api-error';
import { readBodyAtMost } from '@/lib/read-body';
import { getSluice } from '@/lib/sluice.server';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { httpStarter, httpWorkflowId, triggerSecretName, triggersOf } from 'sluice/internal/types';
import { SIGNATURE_HEADER, verifySignature } from 'sluice/internal/notify';
import { MAX_BODY_BYTES } from '../../_lib/json-body';
import { otherMethods } from '../../_lib/methods';
import { answer, parseBody, parsePath, runPageUrl } from '../../_lib/respond';
import { triggerBody, triggerPath } from '../../_lib/schemas';

export const dynamic = 'force-dynamic';
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/triggers/{name}');

export async function POST(req: Request, { params }: { params: Promise<{ name: string }> }) {
  return answer('start a run by trigger', async () => {
    const path = parsePath(await params, triggerPath);
    if (!path.ok) return path.response;
    const { name } = path.value;
    // The signature first, on the raw bytes: nothing about the trigger or the body is told to an unsigned caller.
    const raw = await readBodyAtMost(req.clone(), MAX_BODY_BYTES);
    if (raw === null) return apiError('payload_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes.`);
    const secret = process.env[triggerSecretName(name)];
    if (!secret || !verifySignature(req.headers.get(SIGNATURE_HEADER) ?? undefined, new TextDecoder().decode(raw), secret)) {
      return apiError(
        'unauthorized',
        `Missing or bad signature: send ${SIGNATURE_HEADER}: t=<unix seconds>,sha256=<hex HMAC-SHA256 of "<t>.<body>" under the trigger's secret>, made within 5 minutes.`,
      );
    }
    const sluice = await getSluice();
    const declared = triggersOf((await sluice.store.listFlows()).filter((f) => f.goneAt == null)).find((t) => t.trigger.http === name);
    if (!declared) return apiError('not_found', `No deployment declares the trigger { http: '${name}' }; check the name, and that its worker has started.`);
    const body = await parseBody(req, triggerBody);
    if (!body.ok) return body.response;
    const { parameters, idempotencyKey } = body.value;
    const flow = declared.flow;
    const deployment = declared.deployment.name;
    const answerWith = (ref: { workflowId: string; runId: string }, status: 200 | 201) =>
      Response.json({ flow, deployment, workflowId: ref.workflowId, runId: ref.runId, url: runPageUrl(req, ref) }, { status });
    if (idempotencyKey === undefined) return answerWith(await sluice.startDeployment(flow, deployment, { parameters, startedBy: httpStarter(name) }), 201);
    const workflowId = httpWorkflowId(flow, deployment, name, idempotencyKey);
    try {
      return answerWith(await sluice.startDeployment(flow, deployment, { parameters, startedBy: httpStarter(name), workflowId, once: true }), 201);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // The key's run exists (or existed, within the namespace's retention): answer with it, start nothing.
      const { runId } = await sluice.temporal.workflow.getHandle(workflowId).describe();
      return answerWith({ workflowId, runId }, 200);
    }
  });
}
