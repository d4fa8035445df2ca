import type { SyncError } from './errors'

/** How a sync connection waits between failed attempts. */
export interface RetryOptions {
  /** The first wait after a failure, in ms (default 1 000); it doubles per failure in a row. */
  readonly initialDelay?: number
  /** The longest wait, in ms (default 30 000); also the wait after a failure retrying cannot cure soon (a refused token). */
  readonly maxDelay?: number
}

/**
 * Milliseconds to wait after the `failures`-th failure in a row: exponential backoff with jitter
 * (half the delay fixed, half random, so many clients that failed together do not come back
 * together), the server's `retryAfter` when it gave one, and the longest wait for failures that
 * trying again soon cannot cure (`unauthenticated`, `unsupported-protocol`, ...).
 */
export function retryDelay(failures: number, error: SyncError, options: RetryOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialDelay ?? 1000
  const max = Math.max(initial, options.maxDelay ?? 30_000)
  if (!error.retryable) return max
  const base = Math.min(max, initial * 2 ** Math.max(0, failures - 1))
  const jittered = base / 2 + (random() * base) / 2
  // A rate limit says exactly when to come back; a little jitter still spreads the crowd.
  return error.retryAfter !== undefined ? error.retryAfter + random() * Math.min(initial, error.retryAfter) * 0.1 : jittered
}
