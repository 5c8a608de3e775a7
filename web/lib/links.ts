/** The app's URLs in one place, each part encoded (workflow ids may hold dots, colons and spaces). */
import type { RunRef } from 'sluice/client';

const e = encodeURIComponent;

/** Where the web app serves Temporal Web (web/app/temporal): behind its log-in, with roles (lib/temporal-web). */
export const TEMPORAL_WEB_PATH = '/temporal';

export const runHref = (ref: RunRef) => `/runs/${e(ref.workflowId)}/${e(ref.runId)}`;
export const flowHref = (flow: string) => `/flows/${e(flow)}`;
/** The flows page, showing only the flows of one task queue when given. */
export const flowsHref = (queue?: string | null) => (queue ? `/flows?queue=${e(queue)}` : '/flows');

/** The run form: of a flow, of one of its deployments, or re-running a run with changed parameters. */
export function runFormHref(flow: string, options: { deployment?: string; from?: RunRef } = {}): string {
  const q = new URLSearchParams();
  if (options.deployment) q.set('deployment', options.deployment);
  if (options.from) {
    q.set('fromWorkflowId', options.from.workflowId);
    q.set('fromRunId', options.from.runId);
  }
  const qs = q.toString();
  return `${flowHref(flow)}/run${qs ? `?${qs}` : ''}`;
}

/**
 * A dynamic segment's value as a page receives it. Next 16 hands pages the still-encoded segment
 * (`odd%20id`) while route handlers get it decoded, so pages decode it here; a value that is not valid
 * percent-encoding is used as it is.
 */
export function pageParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
