/**
 * The run form: generated from the flow's parameters JSON Schema; for a deployment, starts from its parameters;
 * with ?fromWorkflowId&fromRunId, re-runs that run with the parameters edited. Operators only.
 */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { FlowGoneError } from 'sluice/client';
import { requireUser } from '@/lib/auth/guard';
import { flowHref, pageParam, runHref } from '@/lib/links';
import { getSluice } from '@/lib/sluice.server';
import { RunForm } from '@/components/run-form';
import { startRunAction } from '../../actions';

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

export async function generateMetadata({ params }: { params: Promise<{ flow: string }> }) {
  return { title: `Run ${pageParam((await params).flow)}` };
}

export default async function RunFlowPage({ params, searchParams }: { params: Promise<{ flow: string }>; searchParams: Promise<Search> }) {
  await requireUser('operator');
  const name = pageParam((await params).flow);
  const search = await searchParams;
  const client = await getSluice();
  const flow = await client.getFlow(name);
  if (!flow) notFound();
  if (flow.goneAt) {
    return (
      <>
        <div className="breadcrumb">
          <Link href="/flows">Flows</Link> / <Link href={flowHref(flow.name)}>{flow.name}</Link> / run
        </div>
        <div className="form-error">{new FlowGoneError(flow.name, flow.taskQueue, new Date(flow.goneAt)).message}</div>
      </>
    );
  }

  const deploymentName = one(search.deployment);
  const from = one(search.fromWorkflowId) && one(search.fromRunId) ? { workflowId: one(search.fromWorkflowId), runId: one(search.fromRunId) } : null;
  const deployment = deploymentName ? flow.deployments.find((d) => d.name === deploymentName) : undefined;
  if (deploymentName && !deployment) notFound();
  const source = from ? await client.getRun(from.workflowId, from.runId) : undefined;
  if (from && !source) notFound();

  const values = source ? source.parameters : deployment ? deployment.parameters : undefined;
  const hidden: Record<string, string> = { flow: flow.name };
  if (deployment) hidden.deployment = deployment.name;
  if (from) Object.assign(hidden, { fromWorkflowId: from.workflowId, fromRunId: from.runId });

  return (
    <>
      <div className="breadcrumb">
        <Link href="/flows">Flows</Link> / <Link href={flowHref(flow.name)}>{flow.name}</Link> / run
      </div>
      <div className="page-head">
        <div>
          <h1>
            Run {flow.name}
            {deployment ? ` · ${deployment.name}` : ''}
          </h1>
          <p className="subtitle">
            {source ? (
              <>
                Re-running <Link href={runHref(source)}>{source.workflowId}</Link> with its parameters; change what you need.
              </>
            ) : deployment ? (
              `Starts the deployment now with its parameters; change what you need.`
            ) : (
              flow.description ?? 'Fill in the parameters and start the run.'
            )}
          </p>
        </div>
      </div>
      <section className="panel">
        <RunForm
          schema={flow.parametersSchema}
          values={values}
          supplied={Object.keys(deployment?.parameters ?? {})}
          hidden={hidden} action={startRunAction} submitLabel={source ? 'Re-run' : 'Start run'} />
      </section>
    </>
  );
}
