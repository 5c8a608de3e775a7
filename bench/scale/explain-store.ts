/**
 * The query plans of the store's own queries, for the closing note: a Store on the same database whose SELECTs are
 * noted as it runs them (a Kysely plugin), each then run again as `EXPLAIN (ANALYZE, BUFFERS)` with the same
 * parameters. So what is explained is exactly the SQL the store sends, and a read whose next query depends on the
 * last one's rows (Store.readLogPage's windows) runs as it does for the viewer. The plans are of a second run: warm.
 *
 * @example const plans = await explainStore(store, (s) => s.readLogPage({ runId, search: 'checksum', order: 'desc' }));
 */
import { createQueryId, QueryNode, sql, type KyselyPlugin, type SelectQueryNode } from 'kysely';
import { Store } from 'sluice/internal/store';

export async function explainStore(store: Store, read: (noted: Store) => Promise<unknown>): Promise<string[]> {
  const seen = new Map<string, SelectQueryNode>();
  const selects: SelectQueryNode[] = [];
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      // A read that asks for a plan itself (readLogPage asks how the planner would read a search) is not noted.
      if (node.kind === 'SelectQueryNode' && !node.explain) seen.set(queryId.queryId, node);
      return node;
    },
    // Noted once it ran: a subquery's builder passes through transformQuery too.
    async transformResult({ result, queryId }) {
      const node = seen.get(queryId.queryId);
      if (node) selects.push(node);
      return result;
    },
  };
  // The search collation as the store was opened with (no simple queries: every read goes through Kysely).
  const options = (store as unknown as { options: { searchCollation?: string } }).options;
  await read(new Store(store.db.withPlugin(plugin), store.dialect, { searchCollation: options.searchCollation }));
  const plans: string[] = [];
  for (const node of selects) {
    const explained = QueryNode.cloneWithExplain(node, undefined, sql`analyze, buffers`);
    const { rows } = await store.db.executeQuery(store.db.getExecutor().compileQuery(explained, createQueryId()));
    plans.push(rows.map((r) => String((r as Record<string, unknown>)['QUERY PLAN'])).join('\n'));
  }
  return plans;
}
