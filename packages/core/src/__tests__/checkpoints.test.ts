import { describe, expect, it } from 'vitest'
import { createStore, isChronicleError, type ChronicleError, type StorageBackend } from '../index'
import { addCard, boardView, commands, titles } from './fixtures'
import { wrappedMemoryStorage } from './wrappedStorage'

/**
 * Memory storage that writes down the positions of every checkpoint save (the saves still happen).
 * `unreadable`: loading the checkpoints fails, as for a record the browser cannot deserialise.
 */
function recordingStorage(options: { unreadable?: boolean } = {}) {
  const saves: number[][] = []
  const { storage, inner } = wrappedMemoryStorage((log) => ({
    ...(options.unreadable ? { loadCheckpoints: () => Promise.reject(new Error('cannot deserialise')) } : {}),
    saveCheckpoints(checkpoints) {
      saves.push(checkpoints.map((c) => c.position))
      return log.saveCheckpoints(checkpoints)
    },
  }))
  return { storage, saves, inner }
}

/** Lets the task queue run: a checkpoint the store scheduled with no wait left (`checkpointInterval: 0`) is saved before this resolves. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0))

const open = (storage: StorageBackend) => {
  const store = createStore({ name: 'kanban', commands, projections: [boardView, titles], storage, checkpointInterval: 0, checkpointEvery: 4 })
  const errors: ChronicleError[] = []
  store.errors$.subscribe((e) => errors.push(e))
  return { store, errors }
}

const add = (i: number) => addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` })

describe('checkpoints saved in the background', () => {
  it('wait for checkpointEvery events after the stored ones: the first commands and undo after a cold start at the head save none', async () => {
    const { storage, saves } = recordingStorage()
    const { store: writer } = open(storage)
    for (let i = 0; i < 3; i++) {
      await writer.dispatch(add(i))
      await nextTask()
    }
    // A fresh log of three events: a cold start replays them, a checkpoint would spare nothing.
    expect(saves).toEqual([])
    await writer.dispatch(add(3))
    await nextTask()
    expect(saves).toEqual([[4, 4]])

    // The page goes away without closing the store (the usual end of a tab): a cold start from the
    // checkpoint at the head, then a command, its undo and another command.
    const { store: cold } = open(storage)
    await cold.ready
    await cold.dispatch(add(4))
    await nextTask()
    await cold.history.undo()
    await nextTask()
    await cold.dispatch(add(5))
    await nextTask()
    expect(cold.position).toBe(7)
    expect(saves).toEqual([[4, 4]])

    // Nothing is lost by not saving: the next cold start replays the tail, the undo included.
    const { store: again } = open(storage)
    await again.ready
    expect(again.read(titles)).toEqual({ c0: 't0', c1: 't1', c2: 't2', c3: 't3', c5: 't5' })
    expect(again.read(boardView)).toEqual(cold.read(boardView))

    // The fourth event after the stored checkpoint makes the next one due.
    await cold.dispatch(add(6))
    await nextTask()
    expect(saves).toEqual([
      [4, 4],
      [8, 8],
    ])
  })

  it.each(['damaged', 'unreadable'] as const)('replace a %s checkpoint after the first command, however short the tail', async (how) => {
    const { storage, saves, inner } = recordingStorage({ unreadable: how === 'unreadable' })
    const { store: writer } = open(storage)
    await writer.dispatch(add(0))
    await writer.dispatch(add(1))
    await writer.close()
    expect(saves).toEqual([[2, 2]])
    if (how === 'damaged') await (await inner.open('kanban')).saveCheckpoints([{ name: 'titles', version: 1, position: 99, state: {}, savedAt: 0 }])

    const { store, errors } = open(storage)
    await store.ready
    expect(errors.filter((e) => isChronicleError(e, 'StorageError'))).toHaveLength(1)
    await store.dispatch(add(2))
    await nextTask()
    expect(saves).toEqual([
      [2, 2],
      [3, 3],
    ])
    expect(store.read(titles)).toEqual({ c0: 't0', c1: 't1', c2: 't2' })
  })

  it('a due background checkpoint waits for the page to be idle (at most 5 s), and closing cancels the wait', async () => {
    const idle: { run: IdleRequestCallback; timeout: number | undefined; cancelled: boolean }[] = []
    const saved = { request: globalThis.requestIdleCallback, cancel: globalThis.cancelIdleCallback }
    globalThis.requestIdleCallback = (run, options) => idle.push({ run, timeout: options?.timeout, cancelled: false })
    globalThis.cancelIdleCallback = (handle) => void (idle[handle - 1]!.cancelled = true)
    try {
      const { storage, saves } = recordingStorage()
      const { store } = open(storage)
      for (let i = 0; i < 4; i++) await store.dispatch(add(i))
      await nextTask()
      expect(idle).toHaveLength(1)
      expect(idle[0]!.timeout).toBe(5000)
      expect(saves).toEqual([])
      idle[0]!.run({ didTimeout: false, timeRemaining: () => 50 })
      await nextTask()
      expect(saves).toEqual([[4, 4]])
      for (let i = 4; i < 8; i++) await store.dispatch(add(i))
      await nextTask()
      expect(idle).toHaveLength(2)
      await store.close()
      expect(idle[1]!.cancelled).toBe(true)
      expect(saves.at(-1)).toEqual([8, 8])
    } finally {
      globalThis.requestIdleCallback = saved.request
      globalThis.cancelIdleCallback = saved.cancel
    }
  })
})
