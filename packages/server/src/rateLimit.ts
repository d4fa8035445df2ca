import type { Principal } from '@chronicle/core'

/** How many pushed commands a principal may send: a token bucket per principal. */
export interface RateLimitOptions {
  /** Commands per second a principal may push, sustained. */
  readonly commandsPerSecond: number
  /** Commands a principal may push at once after a pause (the bucket's size). At least the largest push. */
  readonly burst: number
  /** The bucket a principal draws from (default: its JSON form). */
  readonly key?: (principal: Principal) => string
  /**
   * Where the buckets are kept. Default: the database when several processes share it
   * (`postgresStorage`: one upsert per push, so the limit holds in sum over every process), else
   * this process's memory (`memoryRateLimits()`).
   */
  readonly store?: RateLimitStore
}

/** The sizes of a bucket: full at `burst`, refilled at `commandsPerSecond`. */
export interface BucketLimits {
  readonly commandsPerSecond: number
  readonly burst: number
}

/** Keeps token buckets; a store shared by several server processes makes the limit hold across them. */
export interface RateLimitStore {
  /** Takes `cost` tokens from bucket `key` and answers 0, or takes none and answers the milliseconds to wait. */
  take(key: string, cost: number, limits: BucketLimits): number | Promise<number>
}

/** Answers whether a push may run now; each command costs one token. */
export interface RateLimiter {
  /** Takes `cost` tokens and answers 0, or takes none and answers the milliseconds to wait. */
  take(principal: Principal, cost: number): Promise<number>
}

/** Milliseconds until a bucket holding `tokens` has `cost` (at most a full bucket's worth). */
export function waitFor(tokens: number, cost: number, limits: BucketLimits): number {
  return Math.ceil((Math.min(cost, limits.burst) - tokens) / (limits.commandsPerSecond / 1000))
}

/**
 * Token buckets in this process's memory. Buckets refill continuously; idle full buckets are
 * forgotten, so memory stays bounded by the number of active principals.
 */
export function memoryRateLimits(now: () => number = () => performance.now()): RateLimitStore {
  const buckets = new Map<string, { tokens: number; at: number }>()
  let lastSweep = now()
  return {
    take(key, cost, limits) {
      const time = now()
      const perMs = limits.commandsPerSecond / 1000
      // A bucket that would be full again carries no information.
      const fullAfter = limits.burst / perMs
      if (time - lastSweep >= fullAfter) {
        lastSweep = time
        for (const [k, bucket] of buckets) if (time - bucket.at >= fullAfter) buckets.delete(k)
      }
      const bucket = buckets.get(key) ?? { tokens: limits.burst, at: time }
      const tokens = Math.min(limits.burst, bucket.tokens + (time - bucket.at) * perMs)
      if (tokens >= cost) {
        buckets.set(key, { tokens: tokens - cost, at: time })
        return 0
      }
      buckets.set(key, { tokens, at: time })
      return waitFor(tokens, cost, limits)
    },
  }
}

/** A limiter keyed by principal over `store` (default: memory). */
export function createRateLimiter(options: RateLimitOptions, fallback: RateLimitStore = memoryRateLimits()): RateLimiter {
  if (!(options.commandsPerSecond > 0) || !(options.burst >= 1)) throw new TypeError('rateLimit needs commandsPerSecond > 0 and burst >= 1')
  const keyOf = options.key ?? ((principal: Principal) => JSON.stringify(principal) ?? 'undefined')
  const store = options.store ?? fallback
  const limits = { commandsPerSecond: options.commandsPerSecond, burst: options.burst }
  return { take: async (principal, cost) => store.take(keyOf(principal), cost, limits) }
}
