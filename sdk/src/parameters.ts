/**
 * Flow parameters: validated with the flow's zod schema before a run starts (client) and again when the
 * flow starts (workflow). Both sides produce the same readable message. Sandbox-safe: imports only zod.
 */
import type { z } from 'zod';

/**
 * One wrong field: where (a dotted path, '' for the parameters as a whole) and what is wrong.
 *
 * @example
 * catch (e) { if (e instanceof InvalidParametersError) for (const issue of e.issues satisfies ParameterIssue[]) console.error(issue.path, issue.message); }
 */
export interface ParameterIssue {
  path: string;
  message: string;
}

/** The ApplicationFailure type of a run that failed because its parameters were invalid. */
export const INVALID_PARAMETERS = 'InvalidParameters';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ParameterIssue[]; message: string };

export function parseParameters<S extends z.ZodType>(flow: string, schema: S | undefined, input: unknown): ParseResult<z.output<S>> {
  if (!schema) return { ok: true, value: (input ?? {}) as z.output<S> };
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  return { ok: false, issues, message: invalidParametersMessage(flow, issues) };
}

export function invalidParametersMessage(flow: string, issues: ParameterIssue[]): string {
  const fields = issues.map((i) => `${i.path || '(parameters)'}: ${i.message}`).join('; ');
  return `Invalid parameters for flow ${flow}: ${fields}`;
}
