/**
 * A log line's fields, made JSON text at the moment the line is written: an object changed after logging
 * does not change the stored line, and the text's size bounds the worker's buffer. Keys that name a line's
 * run identity are kept under `field.<key>`, so a flow's or task's own `runId` or `attempt` neither
 * replaces the line's identity nor disappears. Sandbox-safe (flows log through it too).
 *
 * @example
 * fieldsText({ rows: 42, runId: 'mine' }) // '{"rows":42,"field.runId":"mine"}'
 */
import { toJsonText } from './store/json-text';

/** The metadata key a flow's fields cross the sandbox under, already as JSON text. */
export const FIELDS_TEXT_KEY = 'sluiceFieldsText';

/** What the worker sets on every line itself: a line's own fields with these names are renamed. */
const IDENTITY = new Set(['runId', 'workflowId', 'task', 'attempt', 'activityId', 'flow', FIELDS_TEXT_KEY]);

export function fieldsText(fields: Record<string, unknown> | undefined | null): string | undefined {
  if (fields === undefined || fields === null || typeof fields !== 'object') return undefined;
  let renamed: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (!IDENTITY.has(key)) continue;
    renamed = {};
    for (const k in fields) renamed[IDENTITY.has(k) ? `field.${k}` : k] = fields[k];
    break;
  }
  return toJsonText(renamed ?? fields);
}
