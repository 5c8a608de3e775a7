/** The search attributes every run carries, so the runs list can filter on flow, deployment and starter. */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from './temporal/search-attributes';

export const FLOW_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTES.flow, SearchAttributeType.KEYWORD);
export const DEPLOYMENT_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTES.deployment, SearchAttributeType.KEYWORD);
export const STARTED_BY_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTES.startedBy, SearchAttributeType.KEYWORD);
/** Set by the run itself while it waits for an answer (see ask.ts). */
export const WAITING_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTES.waiting, SearchAttributeType.KEYWORD);

export interface RunAttributes {
  flow: string;
  deployment?: string | null;
  startedBy: string;
}

/** Who started a run of a deployment's schedule (SluiceStartedBy), as the docs and the HTTP API say it. */
export const scheduleStarter = (flow: string, deployment: string) => `schedule:${flow}:${deployment}`;

// Sluice 0.3.0 wrote `schedule:FLOW.DEPLOYMENT` (the schedule's id). A flow name is an identifier (no dot) and a
// deployment name has no colon, so the first dot of the old spelling is the one between them.
const OLD_SCHEDULE_STARTER = /^schedule:([^.:]+)\.([^:]+)$/;
const SCHEDULE_STARTER = /^schedule:([^.:]+):([^:]+)$/;

/** `startedBy` as recorded, read as documented: runs recorded with the old spelling of a schedule read as new ones. */
export function startedByOf(recorded: string): string {
  const old = OLD_SCHEDULE_STARTER.exec(recorded);
  return old ? scheduleStarter(old[1]!, old[2]!) : recorded;
}

/** The recorded values a `startedBy` filter matches: a schedule in both spellings (runs from before), else itself. */
export function recordedStartedBy(startedBy: string): string[] {
  const schedule = SCHEDULE_STARTER.exec(startedByOf(startedBy));
  return schedule ? [scheduleStarter(schedule[1]!, schedule[2]!), `schedule:${schedule[1]}.${schedule[2]}`] : [startedBy];
}

export function runSearchAttributes(a: RunAttributes): SearchAttributePair[] {
  return [
    { key: FLOW_KEY, value: a.flow },
    ...(a.deployment ? [{ key: DEPLOYMENT_KEY, value: a.deployment }] : []),
    { key: STARTED_BY_KEY, value: a.startedBy },
  ];
}
