// GET /api/runs/{workflowId}/question: what the run asks (viewer). POST: answer it (operator).
import { apiError } from '@/lib/auth/api-error';
import { authorizeRequest } from '@/lib/auth/guard';
import { getSluice } from '@/lib/sluice.server';
import { openQuestionOf } from 'sluice/internal/types';
import { answer, parseBody, parsePath, parseQuery, runPageUrl } from '../../../_lib/respond';
import { answerBody, getRunQuery, runPath } from '../../../_lib/schemas';
import { otherMethods } from '../../../_lib/methods';

export const dynamic = 'force-dynamic';
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods('/api/runs/{workflowId}/question');

const noRun = (workflowId: string, runId?: string) =>
  apiError('not_found', `There is no run ${workflowId}${runId ? ` (${runId})` : ''}. Check the id; runs older than the retention period are gone.`);

export async function GET(req: Request, { params }: { params: Promise<{ workflowId: string }> }) {
  return answer("read a run's question", async () => {
    const caller = await authorizeRequest(req, 'viewer');
    if (caller instanceof Response) return caller;
    const q = parseQuery(req, getRunQuery);
    if (!q.ok) return q.response;
    const path = parsePath(await params, runPath);
    if (!path.ok) return path.response;
    const found = await (await getSluice()).getQuestions(path.value.workflowId, q.value.runId);
    if (!found) return noRun(path.value.workflowId, q.value.runId);
    const open = found.run.status === 'running' ? (openQuestionOf(found.questions) ?? null) : null;
    return Response.json({ workflowId: found.run.workflowId, runId: found.run.runId, waiting: open !== null, question: open, questions: found.questions, url: runPageUrl(req, found.run) });
  });
}

export async function POST(req: Request, { params }: { params: Promise<{ workflowId: string }> }) {
  return answer('answer a run\'s question', async () => {
    const caller = await authorizeRequest(req, 'operator');
    if (caller instanceof Response) return caller;
    const path = parsePath(await params, runPath);
    if (!path.ok) return path.response;
    const body = await parseBody(req, answerBody);
    if (!body.ok) return body.response;
    const { runId, question, answer: value } = body.value;
    const answered = await (await getSluice()).answer({ workflowId: path.value.workflowId, runId }, { question, value, by: caller.startedBy });
    return Response.json({ workflowId: path.value.workflowId, question: answered });
  });
}
