import { describe, expect, it } from 'vitest'
import { createStore, indexedDbStorage } from '../index'
import { addCard, boardView, cardMap, commands, countedTitles, moveCard, titles } from './fixtures'

describe('cold start over 100,000 events (real IndexedDB)', () => {
  it('replays only the tail after a checkpoint; without the checkpoint it rebuilds the same state', async () => {
    const name = `cold-${Date.now()}`
    const storage = indexedDbStorage()
    const writer = createStore({ name, commands, projections: [boardView, titles], storage, checkpointInterval: 600_000 })
    await writer.ready
    const total = 100_000
    const burst = 5_000
    for (let start = 0; start < total; start += burst) {
      await Promise.all(
        Array.from({ length: burst }, (_, i) => writer.dispatch(addCard({ boardId: `b${(start + i) % 50}`, cardId: `c${start + i}`, title: `t${start + i}` }))),
      )
      if (start + burst === total - burst) await writer.checkpoint() // checkpoint at 95,000
    }
    expect(writer.position).toBe(total)
    const expected = { board: writer.read(boardView), titles: writer.read(titles) }
    await writer.close() // saves a final checkpoint at 100,000...
    // ...so put the 95,000 one back: the cold start must replay exactly the last 5,000 events.
    const log = await storage.open(name)
    const checkpoints = await log.loadCheckpoints()
    expect(checkpoints.map((c) => c.position)).toEqual([total, total])

    const { projection: countingTitles, calls } = countedTitles()
    await log.saveCheckpoints(checkpoints.map((c) => (c.name === 'titles' ? { ...c, position: 95_000, state: Object.fromEntries(Object.entries(c.state as Record<string, string>).slice(0, 95_000)) } : c)))
    const warm = createStore({ name, commands, projections: [boardView, countingTitles], storage })
    await warm.ready
    expect(calls.n).toBe(5_000)
    expect(warm.read(countingTitles)).toEqual(expected.titles)
    expect(warm.read(boardView)).toEqual(expected.board)
    await warm.close()

    await log.deleteCheckpoint('titles')
    await log.deleteCheckpoint('boardView')
    calls.n = 0
    const rebuilt = createStore({ name, commands, projections: [boardView, countingTitles], storage, checkpointInterval: 600_000 })
    await rebuilt.ready
    expect(calls.n).toBe(total)
    expect(rebuilt.read(countingTitles)).toEqual(expected.titles)
    expect(rebuilt.read(boardView)).toEqual(expected.board)
    await rebuilt.close()
    log.close()
  }, 120_000)

  it('keeps Maps and Sets in a checkpoint: a cold start replays only the tail onto them', async () => {
    const name = `cold-map-${Date.now()}`
    const storage = indexedDbStorage()
    const writer = createStore({ name, commands, projections: [cardMap], storage, checkpointInterval: 600_000 })
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))))
    await writer.close() // checkpoint at 50
    // A store without read models writes the tail and leaves the checkpoint at 50.
    const tail = createStore({ name, commands, projections: [], storage })
    await tail.dispatch(moveCard({ boardId: 'b', cardId: 'c3', to: 'done' }))
    await tail.close()
    const log = await storage.open(name)
    const [checkpoint] = await log.loadCheckpoints()
    expect(checkpoint?.position).toBe(50)
    expect((checkpoint?.state as { cards: unknown }).cards).toBeInstanceOf(Map)
    log.close()
    const cold = createStore({ name, commands, projections: [cardMap], storage })
    await cold.ready
    expect(cold.read(cardMap).cards).toBeInstanceOf(Map)
    expect(cold.read(cardMap).cards.size).toBe(50)
    expect(cold.read(cardMap).cards.get('c3')).toEqual({ title: 't3', column: 'done' })
    expect([...cold.read(cardMap).columns]).toEqual(['todo', 'done'])
    await cold.close()
  })
})
