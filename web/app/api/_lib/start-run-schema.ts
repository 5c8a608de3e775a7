/**
 * The body of POST /api/runs as the OpenAPI document gives it: one variant per flow that can start now, its
 * `parameters` being that flow's own JSON Schema (the very schema the server checks parameters against), and one
 * per deployment, whose `parameters` override some of the deployment's. So a client reading the document knows
 * what starts a run; a body it allows is refused only when the catalog changed since it was read, or by a check
 * JSON Schema cannot state (422).
 *
 * @example const { body, schemas } = startRunBody(await store.listFlows());
 */
import type { FlowEntry } from 'sluice/internal/store';

type Json = Record<string, unknown>;

/** Where a flow's parameter schema sits in the document's components. */
const componentName = (flow: string) => `Parameters.${flow.replace(/[^A-Za-z0-9._-]/g, '_')}`;

/** `$ref`s inside a flow's schema point at its own root (`#/$defs/…`); in the document that root is its component. */
function rerooted(value: unknown, root: string): unknown {
  if (Array.isArray(value)) return value.map((v) => rerooted(v, root));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${root}${v.slice(1)}` : rerooted(v, root)]),
  );
}

/**
 * The body schema (a `oneOf` of the variants; `generic` when no flow can start), the components it refers to (each
 * flow's parameter schema without its `required`, which each variant states itself), and an example per deployment
 * that starts without parameters (the only bodies known to be valid without knowing a flow's fields).
 */
export function startRunBody(flows: FlowEntry[], generic: Json): { body: Json; schemas: Record<string, Json>; examples: Record<string, { value: Json }> } {
  const schemas: Record<string, Json> = {};
  const variants: Json[] = [];
  const examples: Record<string, { value: Json }> = {};
  for (const flow of flows.filter((f) => f.goneAt == null)) {
    const name = componentName(flow.name);
    const ref = `#/components/schemas/${name}`;
    const { $schema: _dialect, required, ...fields } = (flow.parametersSchema ?? {}) as Json;
    schemas[name] = rerooted(fields, ref) as Json;
    const requiredFields = Array.isArray(required) ? (required as string[]) : [];
    const variant = (deployment: string | null, needed: string[]): Json => ({
      type: 'object',
      properties: {
        flow: { const: flow.name },
        ...(deployment === null ? {} : { deployment: { const: deployment } }),
        parameters: needed.length > 0 ? { allOf: [{ $ref: ref }, { required: needed }] } : { $ref: ref },
      },
      // Without `parameters`, the flow gets {} (or the deployment's own): required when that misses a field.
      required: ['flow', ...(deployment === null ? [] : ['deployment']), ...(needed.length > 0 ? ['parameters'] : [])],
      additionalProperties: false,
    });
    variants.push(variant(null, requiredFields));
    for (const d of flow.deployments as { name?: unknown; parameters?: Record<string, unknown> }[]) {
      if (typeof d?.name !== 'string') continue;
      const missing = requiredFields.filter((key) => !(key in (d.parameters ?? {})));
      variants.push(variant(d.name, missing));
      if (missing.length === 0) examples[`${flow.name}.${d.name}`.replace(/[^A-Za-z0-9._-]/g, '_')] = { value: { flow: flow.name, deployment: d.name } };
    }
  }
  return { body: variants.length > 0 ? { oneOf: variants } : generic, schemas, examples };
}
