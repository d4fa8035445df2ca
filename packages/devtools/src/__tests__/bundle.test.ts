import { describe, expect, it } from 'vitest'
import { createStore, isChronicleError, memoryStorage } from '@chronicle/core'
import { exportBundle, importBundle, openBundle, parseBundle, projectionMismatches } from '../bundle'
import { addCards, archived, boardView, commands, lastEventIs, moveCard, openStore, projections, titles } from './fixtures'

/** A store with adds, moves (one triggering a reaction), an undo and a redo. */
async function history() {
  const store = openStore()
  await addCards(store, 9, 3)
  await store.dispatch(moveCard({ boardId: 'b0', cardId: 'c0', to: 'doing' }))
  await store.dispatch(moveCard({ boardId: 'b1', cardId: 'c1', to: 'done' }))
  await lastEventIs(store, 'CardArchived')
  await store.dispatch(moveCard({ boardId: 'b2', cardId: 'c2', to: 'doing' }))
  await store.history.undo()
  await store.history.undo()
  await store.history.redo()
  return store
}

describe('repro bundles', () => {
  it('a bundle imported into a fresh store replays the same state at every position', async () => {
    const source = await history()
    const bundle = parseBundle(JSON.stringify(await exportBundle(source)))
    expect(bundle).toMatchObject({ format: 'chronicle-repro', formatVersion: 1, store: 'kanban', range: { after: 0, to: source.position } })
    expect(bundle.projections).toEqual([
      { name: 'boardView', version: 1 },
      { name: 'titles', version: 1 },
      { name: 'archived', version: 1 },
    ])
    expect(bundle.events.map((e) => e.type)).toEqual([...Array(9).fill('CardAdded'), 'CardMoved', 'CardMoved', 'CardArchived', 'CardMoved', 'Undone', 'Undone', 'Redone'])

    const storage = memoryStorage()
    await importBundle(bundle, storage)
    // The domain's own store over the imported log: no reactions are needed to replay.
    const replay = createStore({ name: 'kanban', commands, projections, storage })
    await replay.ready
    expect(replay.position).toBe(source.position)
    for (let p = 0; p <= source.position; p++) {
      for (const projection of [boardView, titles, archived]) {
        expect(await replay.stateAt(projection, p), `${projection.name} at ${p}`).toEqual(await source.stateAt(projection, p))
      }
    }
    expect(replay.read(boardView)).toEqual(source.read(boardView))
    // The log itself came across whole, but for positions in the new log.
    expect(await replay.log()).toEqual(bundle.events)
  })

  it('exports a slice up to a position, and openBundle replays it with just the projections', async () => {
    const source = await history()
    const bundle = await exportBundle(source, { to: 10 })
    expect(bundle.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    const replay = await openBundle(bundle, { projections })
    expect(replay.read(boardView)).toEqual(await source.stateAt(boardView, 10))
    await replay.close()
  })

  it('a slice that starts later replays what those events do from the initial states', async () => {
    const source = await history()
    const bundle = await exportBundle(source, { after: 9, to: 12 })
    expect(bundle.events.map((e) => e.type)).toEqual(['CardMoved', 'CardMoved', 'CardArchived'])
    const replay = await openBundle(bundle, { projections })
    expect(replay.read(archived)).toEqual({ ids: ['c1'] })
    expect(replay.position).toBe(3)
  })

  it('starts the slice of a compacted log at its horizon', async () => {
    const source = await history()
    await source.compact({ before: 5 })
    const bundle = await exportBundle(source)
    expect(bundle.range.after).toBe(4)
    expect(bundle.events[0]!.seq).toBe(5)
  })

  it('refuses files that are not bundles, and logs that are not empty', async () => {
    const code = (fn: () => unknown) => {
      try {
        fn()
      } catch (error) {
        return isChronicleError(error, 'ValidationError') ? error.code : 'other'
      }
      return 'none'
    }
    expect(code(() => parseBundle('not json'))).toBe('invalid-bundle')
    expect(code(() => parseBundle({ format: 'something else' }))).toBe('invalid-bundle')
    const source = await history()
    const good = await exportBundle(source)
    expect(code(() => parseBundle({ ...good, formatVersion: 2 }))).toBe('invalid-bundle')
    expect(code(() => parseBundle({ ...good, events: [...good.events, { seq: 99 }] }))).toBe('invalid-bundle')
    expect(code(() => parseBundle({ ...good, events: [...good.events].reverse() }))).toBe('invalid-bundle')
    expect(code(() => parseBundle(JSON.stringify(good)))).toBe('none')

    const storage = memoryStorage()
    await importBundle(good, storage)
    const again = await importBundle(good, storage).catch((error: unknown) => error)
    expect(isChronicleError(again, 'ValidationError') && again.code).toBe('log-not-empty')
  })

  it('names projections whose versions differ from the bundle', async () => {
    const bundle = await exportBundle(await history())
    expect(projectionMismatches(bundle, projections)).toEqual([])
    expect(projectionMismatches(bundle, [{ ...titles, version: 2 }])).toEqual(['titles: bundle v1, here v2'])
  })
})
