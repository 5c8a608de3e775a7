/**
 * Runs `fn` over `items` with at most `limit` at a time; resolves with the results in order once all are
 * done, or rejects with the first error (the others still run to their end, unobserved).
 *
 * @example const details = await eachLimited(runs, 8, (run) => readDetail(run));
 */
export async function eachLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
