import type { Principal } from '@chronicle/core'

/** How many pushed commands a principal may send: a token bucket per principal. */
export interface RateLimitOptions {
  /** Commands per second a principal may push, sustained. */
  readonly commandsPerSecond: number
  /** Commands a principal may push at once after a pause (the bucket's size). At least the largest push. */
  readonly burst: number
  /** The bucket a principal draws from (default: its JSON form). */
  readonly key?: (principal: Principal) => string
}

/** Answers whether a push may run now; each command costs one token. */
export interface RateLimiter {
  /** Takes `cost` tokens and returns 0, or takes none and returns the milliseconds to wait. */
  take(principal: Principal, cost: number): number
}

/**
 * A token-bucket limiter keyed by principal. Buckets refill continuously; idle full buckets are
 * forgotten so memory stays bounded by the number of active principals.
 */
export function createRateLimiter(options: RateLimitOptions, now: () => number = () => performance.now()): RateLimiter {
  if (!(options.commandsPerSecond > 0) || !(options.burst >= 1)) throw new TypeError('rateLimit needs commandsPerSecond > 0 and burst >= 1')
  const keyOf = options.key ?? ((principal: Principal) => JSON.stringify(principal) ?? 'undefined')
  const perMs = options.commandsPerSecond / 1000
  const buckets = new Map<string, { tokens: number; at: number }>()
  let lastSweep = now()

  const sweep = (time: number) => {
    // A bucket that would be full again carries no information.
    const fullAfter = options.burst / perMs
    if (time - lastSweep < fullAfter) return
    lastSweep = time
    for (const [key, bucket] of buckets) if (time - bucket.at >= fullAfter) buckets.delete(key)
  }

  return {
    take(principal, cost) {
      const time = now()
      sweep(time)
      const key = keyOf(principal)
      const bucket = buckets.get(key) ?? { tokens: options.burst, at: time }
      const tokens = Math.min(options.burst, bucket.tokens + (time - bucket.at) * perMs)
      if (tokens >= cost) {
        buckets.set(key, { tokens: tokens - cost, at: time })
        return 0
      }
      buckets.set(key, { tokens, at: time })
      return Math.ceil((Math.min(cost, options.burst) - tokens) / perMs)
    },
  }
}
