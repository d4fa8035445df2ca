// The in-page side of the benchmark, run in real Chromium with tiny sizes: every step does the
// work it claims (its own checks throw otherwise) and answers in the shape the runner expects.
// Timings are only checked to be numbers, never compared.
import { afterAll, describe, expect, it } from 'vitest'
import { steps } from '../page/steps'

const names: string[] = []
const db = (label: string) => {
  const name = `bench-test-${Date.now().toString(36)}-${label}`
  names.push(name)
  return name
}
const isDuration = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0

afterAll(async () => {
  await Promise.all(names.map((name) => steps.dropDatabases({ db: name })))
})

describe('benchmark steps (tiny N)', () => {
  it('writes one at a time and in bursts, raw and through the store', async () => {
    expect(isDuration(await steps.rawOneByOne({ db: db('raw1'), n: 5 }))).toBe(true)
    expect(isDuration(await steps.chronicleOneByOne({ db: db('chr1'), n: 5 }))).toBe(true)
    expect(isDuration(await steps.rawBatched({ db: db('raw2'), n: 25, batch: 10 }))).toBe(true)
    expect(isDuration(await steps.chronicleBurst({ db: db('chr2'), n: 25 }))).toBe(true)
  })

  it('times dispatch to a React commit, one latency per measured command', async () => {
    const raw = await steps.rawRender({ db: db('raw3'), n: 3 })
    const chronicle = await steps.chronicleRender({ db: db('chr3'), n: 3 })
    const committed = await steps.chronicleRender({ db: db('chr3c'), n: 3, committed: true })
    expect(raw).toHaveLength(3)
    expect(chronicle).toHaveLength(3)
    expect(committed).toHaveLength(3)
    expect([...raw, ...chronicle, ...committed].every(isDuration)).toBe(true)
  })

  it('cold-starts a filled log with and without a checkpoint, beside the raw baselines', async () => {
    const log = db('log4')
    const n = 60
    expect(isDuration(await steps.fill({ db: log, n }))).toBe(true)
    await steps.clearCheckpoints({ db: log })
    await expect(steps.rawReadCheckpoints({ db: log, n })).rejects.toThrow(/checkpoints is 0, expected 2/)
    expect(isDuration(await steps.chronicleColdStart({ db: log, n }))).toBe(true)
    const saved = await steps.checkpointAtHead({ db: log, n })
    expect(isDuration(saved.save) && isDuration(saved.longestTask)).toBe(true)
    expect(isDuration(await steps.rawReadCheckpoints({ db: log, n }))).toBe(true)
    const replay = await steps.rawReplay({ db: log, n })
    expect(isDuration(replay.read) && isDuration(replay.fold)).toBe(true)
    // A step checks the log it is given: the wrong size is an error, not a figure.
    await expect(steps.chronicleColdStart({ db: log, n: n + 1 })).rejects.toThrow(/Benchmark check failed/)
    const compacted = await steps.compactOldest({ db: log, n, count: 6 })
    expect(isDuration(compacted.compact) && isDuration(compacted.longestTask)).toBe(true)
    // The oldest tenth is gone: compacting as much again removes other events.
    await expect(steps.compactOldest({ db: log, n, count: 6 })).rejects.toThrow(/events removed is 0, expected 6/)
  })

  it('holds and releases a store and the raw events for the heap measurement', async () => {
    const log = db('log7')
    await steps.holdWrittenStore({ db: log, n: 20 })
    await steps.release()
    await steps.holdColdStore({ db: log, n: 20 })
    await steps.release()
    await steps.holdRawEvents({ db: log, n: 20 })
    await steps.release()
  })

  it('measures time travel and undo when the store has them, and says why not otherwise', async () => {
    const log = db('log5')
    await steps.fill({ db: log, n: 30 })
    const support = await steps.historySupport()
    const travel = await steps.chronicleTravel({ db: log, n: 30, to: [3, 17, 30] })
    const overRecord = await steps.chronicleTravel({ db: log, n: 30, to: [3, 30], flat: true })
    const undo = await steps.chronicleUndo({ db: log, n: 30, samples: 2 })
    if (support.travel) expect(travel).toEqual({ unavailable: support.travel })
    else expect(travel).toEqual({ latencies: [expect.any(Number), expect.any(Number), expect.any(Number)], prepared: expect.any(Number) })
    if (!support.travel) expect(overRecord).toEqual({ latencies: [expect.any(Number), expect.any(Number)], prepared: expect.any(Number) })
    if (support.undo) expect(undo).toEqual({ unavailable: support.undo })
    else expect(undo).toEqual({ latencies: [expect.any(Number), expect.any(Number)] })
    expect(await steps.rawTravel({ db: log, to: [3, 30] })).toEqual({ latencies: [expect.any(Number), expect.any(Number)] })
    expect(await steps.rawUndo({ db: db('raw6'), samples: 2 })).toEqual({ latencies: [expect.any(Number), expect.any(Number)] })
  })

  it('writes every domain shape one at a time and in bursts, beside both raw baselines', async () => {
    for (const shape of ['shared', 'create', 'cold', 'working'] as const) {
      const sizes = { n: 6, streams: shape === 'cold' || shape === 'working' ? 9 : 0, seed: 3 }
      for (const burst of [false, true]) {
        expect(isDuration(await steps.rawShape({ db: db(`raw-${shape}`), shape, ...sizes, batch: burst ? 4 : 1 }))).toBe(true)
        expect(isDuration(await steps.chronicleShape({ db: db(`chr-${shape}`), shape, ...sizes, burst }))).toBe(true)
        if (sizes.streams > 0) expect(isDuration(await steps.rawRecords({ db: db(`rec-${shape}`), shape, ...sizes, batch: burst ? 4 : 1 }))).toBe(true)
      }
    }
    // More commands than streams cannot touch each stream once: an error, not a figure.
    await expect(steps.chronicleShape({ db: db('chr-short'), shape: 'cold', n: 10, streams: 9, burst: false })).rejects.toThrow(/Benchmark check failed/)
  })

  it('times dispatch to a React commit on a new stream per command and on existing streams after a cold start', async () => {
    for (const shape of ['create', 'cold'] as const) {
      const params = { shape, n: 3, streams: 30, seed: 5 }
      const raw = await steps.rawShapeRender({ db: db(`rawr-${shape}`), ...params })
      const chronicle = await steps.chronicleShapeRender({ db: db(`chrr-${shape}`), ...params })
      expect(raw).toHaveLength(3)
      expect(chronicle).toHaveLength(3)
      expect([...raw, ...chronicle].every(isDuration)).toBe(true)
    }
    await expect(steps.chronicleShapeRender({ db: db('chrr-short'), shape: 'cold', n: 20, streams: 30, seed: 5 })).rejects.toThrow(/Benchmark check failed/)
  })
})
