/** Small statistics for benchmark samples. */

export function median(samples: number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Arithmetic mean, rounded to 0.1. */
export function mean(samples: number[]): number {
  if (samples.length === 0) throw new Error('mean of no samples');
  return Math.round((samples.reduce((a, b) => a + b, 0) / samples.length) * 10) / 10;
}

/** Median, min and max, rounded for printing and the JSON result. */
export function summary(samples: number[], digits = 1): { median: number; min: number; max: number; samples: number[] } {
  const round = (x: number) => Number(x.toFixed(digits));
  return { median: round(median(samples)), min: round(Math.min(...samples)), max: round(Math.max(...samples)), samples: samples.map(round) };
}
