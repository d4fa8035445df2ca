import { describe, expect, it } from 'vitest'
import { retryDelay, SyncError } from '../index'

const network = new SyncError('network', 'offline')
const options = { initialDelay: 100, maxDelay: 1000 }

describe('retryDelay', () => {
  it('doubles per failure in a row up to the maximum, with half of each wait random', () => {
    const low = [1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, network, options, () => 0))
    const high = [1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, network, options, () => 1))
    expect(low).toEqual([50, 100, 200, 400, 500, 500])
    expect(high).toEqual([100, 200, 400, 800, 1000, 1000])
    const spread = new Set(Array.from({ length: 20 }, () => retryDelay(3, network, options)))
    expect(spread.size).toBeGreaterThan(1)
    for (const delay of spread) expect(delay >= 200 && delay <= 400).toBe(true)
  })

  it('waits as long as a rate limit says, and longest after failures retrying cannot cure soon', () => {
    const limited = new SyncError('rate-limited', 'slow down', { status: 429, retryAfter: 2500 })
    expect(retryDelay(1, limited, options, () => 0)).toBe(2500)
    expect(retryDelay(1, limited, options, () => 1)).toBe(2510)
    expect(retryDelay(1, new SyncError('unauthenticated', 'who?', { status: 401 }), options)).toBe(1000)
    expect(retryDelay(1, new SyncError('internal', 'bug', { status: 500 }), {}, () => 1)).toBe(1000)
    expect(retryDelay(9, network, {}, () => 1)).toBe(30_000)
  })
})
