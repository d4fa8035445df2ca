import { afterEach, describe, expect, it, vi } from 'vitest'
import { CommandObserver, createStore, isChronicleError, memoryStorage, type CommandState, type Receipt, type StorageBackend, type Store } from '../index'
import { addCard, boardView, commands } from './fixtures'

const stores: Store[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})

function open(storage: StorageBackend = memoryStorage()): Store {
  const store = createStore({ name: 'kanban', commands, projections: [boardView], storage })
  stores.push(store)
  return store
}

/** In-memory storage whose appends wait while held: commands the test keeps pending. */
function heldAppends() {
  const inner = memoryStorage()
  let held: Promise<void> = Promise.resolve()
  const backend: StorageBackend = {
    kind: 'memory',
    async open(name) {
      const log = await inner.open(name)
      return { ...log, append: async (batch) => (await held, log.append(batch)) }
    },
  }
  const hold = () => {
    let release!: () => void
    held = new Promise<void>((resolve) => (release = resolve))
    return release
  }
  return { backend, hold }
}

/** Every state the observer's listeners saw, by status. */
function watch<I>(observer: CommandObserver<I>) {
  const seen: CommandState<I>[] = []
  const stop = observer.subscribe(() => seen.push(observer.getSnapshot()))
  return { seen, stop, statuses: () => seen.map((s) => s.status) }
}

const payload = (cardId: string, title = cardId) => ({ boardId: 'b', cardId, title })

describe('CommandObserver', () => {
  it('goes idle -> pending -> ok, with the flags, the variables and the receipt', async () => {
    const { backend, hold } = heldAppends()
    const store = open(backend)
    await store.ready
    const observer = new CommandObserver(store, addCard)
    expect(observer.getSnapshot()).toMatchObject({ status: 'idle', isIdle: true, isPending: false, variables: undefined })
    const { seen } = watch(observer)
    const release = hold()
    const { dispatch, getSnapshot } = observer
    const done = dispatch(payload('c1'))
    expect(getSnapshot()).toEqual({ status: 'pending', isIdle: false, isPending: true, isSuccess: false, isError: false, variables: payload('c1'), receipt: undefined, error: undefined })
    release()
    const receipt = await done
    expect(receipt).toEqual({ commandId: expect.any(String), position: 1, eventCount: 1, duplicate: false })
    expect(getSnapshot()).toEqual({ status: 'ok', isIdle: false, isPending: false, isSuccess: true, isError: false, variables: payload('c1'), receipt, error: undefined })
    expect(seen.map((s) => s.status)).toEqual(['pending', 'ok'])
    expect(store.read(boardView).columns.todo).toEqual(['c1'])
  })

  it('goes to error with the typed error, rejects, and resets to idle', async () => {
    const store = open()
    await store.dispatch(addCard(payload('c1')))
    const observer = new CommandObserver(store, addCard)
    const error = await observer.dispatch(payload('c1', 'again')).catch((e: unknown) => e)
    expect(isChronicleError(error, 'RuleViolation')).toBe(true)
    const state = observer.getSnapshot()
    expect(state).toMatchObject({ status: 'error', isError: true, isPending: false, isSuccess: false, variables: payload('c1', 'again'), receipt: undefined })
    expect(state.error).toBe(error)
    const snapshot = observer.getSnapshot()
    expect(observer.getSnapshot()).toBe(snapshot)
    observer.reset()
    expect(observer.getSnapshot()).toMatchObject({ status: 'idle', error: undefined, variables: undefined })
  })

  it('passes the command options on, without the callbacks', async () => {
    const store = open()
    const observer = new CommandObserver(store, addCard)
    const onSuccess = vi.fn()
    const first = await observer.dispatch(payload('c1'), { commandId: 'cmd-1', onSuccess })
    const again = await observer.dispatch(payload('c1'), { commandId: 'cmd-1' })
    expect(first).toMatchObject({ commandId: 'cmd-1', duplicate: false })
    expect(again).toMatchObject({ commandId: 'cmd-1', duplicate: true })
    const [event] = await store.log()
    expect(event?.meta.commandId).toBe('cmd-1')
  })

  it('shows only the latest dispatch, and drops one in flight on reset', async () => {
    const { backend, hold } = heldAppends()
    const store = open(backend)
    await store.ready
    const observer = new CommandObserver(store, addCard)
    const { statuses } = watch(observer)
    let release = hold()
    const first = observer.dispatch(payload('c1'))
    const second = observer.dispatch(payload('c1', 'again')).catch((e: unknown) => e)
    release()
    expect(await first).toMatchObject({ position: 1 })
    expect(isChronicleError(await second, 'RuleViolation')).toBe(true)
    expect(observer.getSnapshot()).toMatchObject({ status: 'error', variables: payload('c1', 'again') })
    expect(statuses()).toEqual(['pending', 'pending', 'error'])

    release = hold()
    const third = observer.dispatch(payload('c2'))
    observer.reset()
    release()
    await third
    expect(observer.getSnapshot().status).toBe('idle')
    expect(statuses()).toEqual(['pending', 'pending', 'error', 'pending', 'idle'])
  })

  it('calls its own callbacks for every dispatch, then the call\'s for the latest one while someone listens', async () => {
    const { backend, hold } = heldAppends()
    const store = open(backend)
    await store.ready
    const calls: string[] = []
    const observer = new CommandObserver(store, addCard, {
      onSuccess: (receipt, variables) => calls.push(`observer success ${variables.cardId} at ${receipt.position}`),
      onError: (error, variables) => calls.push(`observer error ${variables.cardId} ${error.code}`),
      onSettled: (receipt, error, variables) => calls.push(`observer settled ${variables.cardId} ${receipt?.position ?? error?.code}`),
    })
    const stop = observer.subscribe(() => undefined)
    const perCall = (name: string) => ({
      onSuccess: (receipt: Receipt) => calls.push(`${name} success at ${receipt.position}`),
      onError: (error: { code: string }) => calls.push(`${name} error ${error.code}`),
      onSettled: () => calls.push(`${name} settled`),
    })
    const release = hold()
    const first = observer.dispatch(payload('c1'), perCall('first'))
    const second = observer.dispatch(payload('c1', 'again'), perCall('second')).catch(() => undefined)
    release()
    await Promise.all([first, second])
    expect(calls).toEqual([
      'observer success c1 at 1',
      'observer settled c1 1',
      'observer error c1 card-exists',
      'observer settled c1 card-exists',
      'second error card-exists',
      'second settled',
    ])

    calls.length = 0
    observer.setCallbacks({ onSuccess: () => calls.push('replaced') })
    await observer.dispatch(payload('c2'), perCall('third'))
    expect(calls).toEqual(['replaced', 'third success at 2', 'third settled'])

    // Nobody listens any more (the component unmounted): the call's callbacks stay quiet.
    stop()
    calls.length = 0
    await observer.dispatch(payload('c3'), perCall('fourth'))
    expect(calls).toEqual(['replaced'])
  })

  it('does not call the callbacks of a call reset before it settled', async () => {
    const { backend, hold } = heldAppends()
    const store = open(backend)
    await store.ready
    const observer = new CommandObserver(store, addCard)
    observer.subscribe(() => undefined)
    const onSettled = vi.fn()
    const release = hold()
    const done = observer.dispatch(payload('c1'), { onSettled })
    observer.reset()
    release()
    await done
    expect(onSettled).not.toHaveBeenCalled()
  })

  it('keeps the outcome when a callback throws, and reports the throw as an unhandled rejection', async () => {
    const store = open()
    const observer = new CommandObserver(store, addCard, {
      onSuccess: () => {
        throw new Error('callback bug')
      },
    })
    const rejections: unknown[] = []
    const listener = (event: PromiseRejectionEvent) => {
      event.preventDefault()
      rejections.push(event.reason)
    }
    const onNode = (reason: unknown) => rejections.push(reason)
    globalThis.addEventListener?.('unhandledrejection', listener)
    process.on('unhandledRejection', onNode)
    try {
      const receipt = await observer.dispatch(payload('c1'))
      expect(receipt.position).toBe(1)
      expect(observer.getSnapshot().status).toBe('ok')
      await vi.waitFor(() => expect(rejections).toEqual([new Error('callback bug')]))
    } finally {
      globalThis.removeEventListener?.('unhandledrejection', listener)
      process.off('unhandledRejection', onNode)
    }
  })
})
