/**
 * The query plans of the store's own queries, for the closing note: a Store on the same database whose SELECTs run
 * as `EXPLAIN (ANALYZE, BUFFERS)` (a Kysely plugin wraps them), so what is explained is exactly the SQL the store
 * sends, with its parameters. The store then sees no rows; the plans are collected instead.
 *
 * @example const plans = await explainStore(store, (s) => s.readLogs({ runId, search: 'checksum', order: 'desc' }));
 */
import { QueryNode, sql, type KyselyPlugin, type QueryId, type RootOperationNode, type UnknownRow } from 'kysely';
import { Store } from 'sluice/internal/store';

export async function explainStore(store: Store, read: (explained: Store) => Promise<unknown>): Promise<string[]> {
  const plans: string[] = [];
  const explained = new Set<string>();
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }: { node: RootOperationNode; queryId: QueryId }): RootOperationNode {
      // A read that asks for a plan itself (Store.readLogPage asks how the planner would read a search) runs as it is.
      if (node.kind !== 'SelectQueryNode' || node.explain) return node;
      explained.add(queryId.queryId);
      return QueryNode.cloneWithExplain(node, undefined, sql`analyze, buffers`) as RootOperationNode;
    },
    async transformResult({ result, queryId }) {
      if (!explained.has(queryId.queryId)) return result;
      plans.push(result.rows.map((r) => String((r as Record<string, unknown>)['QUERY PLAN'])).join('\n'));
      return { ...result, rows: [] as UnknownRow[] };
    },
  };
  // The search collation as the store was opened with (no simple queries: every read goes through Kysely).
  const options = (store as unknown as { options: { searchCollation?: string } }).options;
  await read(new Store(store.db.withPlugin(plugin), store.dialect, { searchCollation: options.searchCollation }));
  return plans;
}
