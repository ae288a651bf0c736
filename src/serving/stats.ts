/**
 * Latency bookkeeping of a prediction service: the last `capacity` request latencies and
 * nearest-rank percentiles over them.
 *
 * @example
 * ```ts
 * const s = new LatencyWindow(1000);
 * s.add(12); s.add(30);
 * s.percentile(50); // 12
 * ```
 */
export class LatencyWindow {
  private readonly values: number[] = [];
  private next = 0;

  constructor(private readonly capacity = 4096) {}

  /** Records one latency in milliseconds. */
  add(ms: number): void {
    if (this.values.length < this.capacity) this.values.push(ms);
    else { this.values[this.next] = ms; this.next = (this.next + 1) % this.capacity; }
  }

  /** Nearest-rank percentile `q` (0–100) of the recorded latencies; null when none. */
  percentile(q: number): number | null {
    return percentile(this.values, q);
  }
}

/**
 * Nearest-rank percentile `q` (0–100) of `xs`; null for an empty list.
 * @example
 * ```ts
 * percentile([5, 1, 3], 50); // 3
 * ```
 */
export function percentile(xs: readonly number[], q: number): number | null {
  if (!xs.length) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((q / 100) * sorted.length)));
  return sorted[rank - 1];
}
