import type { Connection } from '@temporalio/client';
import { SluiceError } from '../errors';

/**
 * Custom search attributes Sluice sets on every run, so the runs list can filter by them
 * (all Keyword: exact match). The dev server's SQLite visibility allows at most 10 custom Keyword
 * attributes per namespace, so add new ones sparingly.
 *
 * @example client.workflow.list({ query: `${SEARCH_ATTRIBUTES.flow} = "ingest"` })
 */
export const SEARCH_ATTRIBUTES = {
  flow: 'SluiceFlow',
  deployment: 'SluiceDeployment',
  startedBy: 'SluiceStartedBy',
  /** Set (to `input`) while the run waits for a person's answer (`ask()`), so the runs list can show and filter it. */
  waiting: 'SluiceWaiting',
} as const;

export type SearchAttributeName = (typeof SEARCH_ATTRIBUTES)[keyof typeof SEARCH_ATTRIBUTES];

// temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD; the proto package is not a
// direct dependency, so the wire value is spelled out here.
const KEYWORD = 2;

/** Thrown when the search attributes cannot be registered or do not become usable in time. */
export class SearchAttributesError extends SluiceError {
  static override readonly code = 'search_attributes_unusable';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SearchAttributesError';
  }
}

/**
 * Registers Sluice's search attributes in `namespace` if missing, then waits until a visibility
 * query on them succeeds. Idempotent. Works on any server, including a dev server whose database
 * file predates them (its `--search-attribute` flag only applies to namespaces it creates).
 *
 * @example await ensureSearchAttributes(connection, 'default');
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const wanted = Object.values(SEARCH_ATTRIBUTES);
  const existing = await listCustomAttributes(connection, namespace);
  const wrongType = wanted.filter((name) => name in existing && existing[name] !== KEYWORD);
  if (wrongType.length > 0) {
    throw new SearchAttributesError(
      `Search attribute(s) ${wrongType.join(', ')} exist in namespace "${namespace}" with a type other than Keyword. ` +
        'Sluice needs them as Keyword: remove them (temporal operator search-attribute remove) or use another namespace.',
    );
  }
  const missing = wanted.filter((name) => !(name in existing));
  if (missing.length > 0) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
      });
    } catch (err) {
      // Another process (a second worker starting at the same time) may have added them first.
      const now = await listCustomAttributes(connection, namespace);
      if (!missing.every((name) => name in now)) {
        throw new SearchAttributesError(
          `Cannot add search attributes ${missing.join(', ')} to namespace "${namespace}": ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
  }
  await waitUntilQueryable(connection, namespace, timeoutMs);
}

async function listCustomAttributes(connection: Connection, namespace: string): Promise<Record<string, number>> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  return (response.customAttributes ?? {}) as Record<string, number>;
}

// The frontend caches search attribute metadata; a query naming an attribute it does not know yet fails.
async function waitUntilQueryable(connection: Connection, namespace: string, timeoutMs: number): Promise<void> {
  const query = Object.values(SEARCH_ATTRIBUTES)
    .map((name) => `${name} = "x"`)
    .join(' AND ');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await connection.workflowService.listWorkflowExecutions({ namespace, query, pageSize: 1 });
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new SearchAttributesError(
          `Search attributes were added to namespace "${namespace}" but the query '${query}' still fails after ${timeoutMs} ms: ${(err as Error).message}`,
          { cause: err },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
