/** A flow's triggers for its page: what each waits for, and the runs it started last. */
import type { FlowInfo, RunSummary, SluiceClient, TriggerDeclaration } from 'sluice/client';
import { isFiringOf, triggerSecretName } from 'sluice/internal/types';
import { newestFirst } from './home-presenter';

export interface TriggerView {
  deployment: string;
  trigger: TriggerDeclaration;
  /** "after a successful run of importDaily", "on a signed POST /api/triggers/file-arrived". */
  when: string;
  /** For http triggers: where its secret is set. */
  secretVariable: string | null;
  /** Its latest runs, newest first (from the deployment's recent runs). */
  firings: RunSummary[];
}

/** How many of a deployment's latest runs are searched for firings, and how many firings are shown. */
const SEARCHED = 50;
const SHOWN = 5;

export function whenOf(t: TriggerDeclaration): string {
  if (t.http !== undefined) return `on a signed POST /api/triggers/${t.http}`;
  const mapped = Object.entries(t.parameters ?? {}).map(([name, field]) => `${name} ← result.${field}`);
  return `after ${(t.on ?? 'success') === 'success' ? 'a successful run' : 'every run'} of ${t.after}${mapped.length ? `, with ${mapped.join(', ')}` : ''}`;
}

export async function getTriggerViews(client: Pick<SluiceClient, 'listRuns'>, flow: FlowInfo): Promise<TriggerView[]> {
  if (flow.goneAt) return [];
  const views: TriggerView[] = [];
  for (const d of flow.deployments) {
    if (!d.triggers?.length) continue;
    const recent = await client.listRuns({ flow: flow.name, deployment: d.name }, { pageSize: SEARCHED }).catch(() => ({ runs: [] as RunSummary[] }));
    for (const trigger of d.triggers) {
      views.push({
        deployment: d.name,
        trigger,
        when: whenOf(trigger),
        secretVariable: trigger.http !== undefined ? triggerSecretName(trigger.http) : null,
        firings: newestFirst(recent.runs.filter((r) => isFiringOf(trigger, r.startedBy))).slice(0, SHOWN),
      });
    }
  }
  return views;
}
