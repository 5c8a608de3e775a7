/**
 * A run's lines up to its settled id in one round trip to PostgreSQL (the live tail polls this several times a
 * second per open run page): `select sluice_settled_log_id(run); select … from logs …` sent as one simple query.
 * The server runs the two statements in order, each with its own snapshot, so the lines are read after the settled
 * id was, as Store.readLogs requires; the lines above it are then left out here. Only for ascending reads: a limit
 * applied before that cut still leaves the first lines after the cursor, which is all a tail wants.
 * A simple query carries no parameters, so they are written into the text as literals.
 */
import type { CompiledQuery } from 'kysely';

/** PostgreSQL's simple queries: several statements in one round trip, their values written as literals. */
export interface SimpleQueries {
  /** Runs a text of several statements; each one's rows (pg's `pool.query` without parameters). */
  run(text: string): Promise<{ rows: Record<string, unknown>[] }[]>;
  /** A string as an SQL literal (pg's escapeLiteral: given by the connection, so SQLite never loads pg). */
  literal(value: string): string;
}

function literal(simple: SimpleQueries, value: unknown): string | undefined {
  if (typeof value === 'string') return simple.literal(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  return undefined;
}

/** The rows of `read` (ascending by id) at or below `runId`'s settled id; undefined if a parameter cannot be a literal. */
export async function readSettled(simple: SimpleQueries, runId: string, read: CompiledQuery): Promise<Record<string, unknown>[] | undefined> {
  let unwritable = false;
  const text = read.sql.replace(/\$(\d+)/g, (_, n: string) => literal(simple, read.parameters[Number(n) - 1]) ?? ((unwritable = true), 'null'));
  if (unwritable) return undefined;
  const [settledResult, lines] = await simple.run(`select sluice_settled_log_id(${simple.literal(runId)}) as settled; ${text}`);
  const settled = Number(settledResult?.rows[0]?.settled ?? 0);
  return (lines?.rows ?? []).filter((row) => Number(row.id) <= settled);
}
