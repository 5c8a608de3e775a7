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

export function runSearchAttributes(a: RunAttributes): SearchAttributePair[] {
  return [
    { key: FLOW_KEY, value: a.flow },
    ...(a.deployment ? [{ key: DEPLOYMENT_KEY, value: a.deployment }] : []),
    { key: STARTED_BY_KEY, value: a.startedBy },
  ];
}
