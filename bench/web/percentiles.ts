/** Percentiles of benchmark samples (nearest-rank), and a short summary for the JSON results. */

/** The p-th percentile (0–100) by nearest rank: a value that was really measured. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

export interface Spread {
  n: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

export function spread(samples: number[]): Spread {
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    n: samples.length,
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
  };
}
