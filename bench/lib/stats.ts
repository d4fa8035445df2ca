// The few statistics the benchmark reports: medians across runs, percentiles within a run.

/** The median of some numbers (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  return percentile(values, 50)
}

/**
 * The p-th percentile (0-100) by linear interpolation between closest ranks, as spreadsheets'
 * PERCENTILE.INC does; NaN when empty.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  if (p < 0 || p > 100) throw new RangeError(`percentile ${p} is outside 0..100`)
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low)
}

/** Which way a figure improves. */
export type Better = 'higher' | 'lower'

/**
 * Chronicle relative to its baseline, oriented so that higher is always better and 1 means "as
 * good as the baseline": rate / baseline rate, or baseline time (or size) / time (or size).
 */
export function relative(chronicle: number, baseline: number, better: Better): number {
  return better === 'higher' ? chronicle / baseline : baseline / chronicle
}

/** Events per second from a count and the milliseconds it took. */
export const perSecond = (count: number, ms: number) => (count / ms) * 1000
