// Scenarios 9-12: durable writes on the domain shapes where each entity is its own aggregate.
// (a) `shared`: every command on one stream; (b) `create`: every command creates a stream;
// (c) `cold`: one command on each of `streams` streams already in the log, after a cold start;
// (d) `working`: commands on streams picked at random among more streams than the write model caches.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { CommandInput, Store } from '@chronicle/core'
import { openRaw } from '../raw'
import { appendTimed } from './dispatch'
import { check, usingDb } from '../store'
import { addTodo, createTodo, newIds, picks, rawTodoEvents, sharedList, titleOf, todoStats, todoStream, toggleTodo, usingTodoStore } from '../todos'

/** Which domain shape a step writes. */
export type Shape = 'shared' | 'create' | 'cold' | 'working'

/** Parameters of a shape step: a fresh database, the shape, how many timed commands. */
export interface ShapeParams {
  readonly db: string
  readonly shape: Shape
  readonly n: number
  /** Streams in the log before the timed commands (shapes `cold` and `working`). */
  readonly streams?: number
  /** Seeds the random picks, the same for every side of a run. */
  readonly seed?: number
}

const existing = (shape: Shape) => shape === 'cold' || shape === 'working'

/** The streams a `cold` or `working` run touches, by index: each once in random order, or at random with repeats. */
function targets({ shape, n, streams = 0, seed = 1 }: ShapeParams): number[] {
  if (!existing(shape)) return []
  if (shape === 'cold' && n > streams) throw new Error(`Benchmark check failed: ${n} commands on distinct streams need as many streams, got ${streams}`)
  return picks(streams, n, seed, shape === 'cold')
}

/** Creates `ids.length` todos through a store, group-committed in bursts, then closes it (untimed). */
export async function fillTodos(db: string, ids: readonly string[], burst = 5000): Promise<void> {
  await usingTodoStore(db, async (store) => {
    await store.ready
    for (let start = 0; start < ids.length; start += burst) {
      await Promise.all(ids.slice(start, start + burst).map((todoId, k) => store.dispatch(createTodo({ todoId, title: titleOf(start + k) }), { undoable: false })))
    }
    check('filled todos', store.read(todoStats).todos, ids.length)
  })
}

/** The timed commands of a Chronicle run, built before the clock starts. */
function commandsFor(params: ShapeParams, ids: readonly string[]): CommandInput[] {
  if (params.shape === 'shared') return newIds(params.n).map((todoId, i) => addTodo({ todoId, title: titleOf(i) }))
  if (params.shape === 'create') return newIds(params.n).map((todoId, i) => createTodo({ todoId, title: titleOf(i) }))
  return targets(params).map((k) => toggleTodo({ todoId: ids[k]! }))
}

/**
 * Chronicle's side: for `cold` and `working`, the log is filled and the store closed first; then a
 * fresh store (nothing cached) runs the `n` commands, each awaited (`burst` false) or all dispatched
 * at once and then awaited. The read model is read inside the timed window. Resolves with ms.
 */
export async function chronicleShape(params: ShapeParams & { readonly burst: boolean }): Promise<number> {
  const { db, n, burst } = params
  const streams = existing(params.shape) ? (params.streams ?? 0) : 0
  const ids = newIds(streams)
  if (streams > 0) await fillTodos(db, ids)
  return usingTodoStore(db, async (store: Store) => {
    await store.ready
    const commands = commandsFor(params, ids)
    const started = performance.now()
    if (burst) await Promise.all(commands.map((command) => store.dispatch(command)))
    else for (const command of commands) await store.dispatch(command)
    const stats = store.read(todoStats)
    const elapsed = performance.now() - started
    check('todos', stats.todos, streams > 0 ? streams : n)
    check('toggles', stats.toggles, streams > 0 ? n : 0)
    check('log position', store.position, streams + n)
    return elapsed
  })
}

/**
 * The target baseline: the same events appended with raw `idb` in transactions of `batch` events
 * (1: one per event, each awaited). For `cold` and `working` the log holds the creations first
 * (untimed), and the toggles carry the versions and `done` values Chronicle's would.
 */
export function rawShape(params: ShapeParams & { readonly batch: number }): Promise<number> {
  const { db, shape, n, batch } = params
  return usingDb(openRaw(db), async (idb) => {
    const eventOf = rawTodoEvents()
    const streams = existing(shape) ? (params.streams ?? 0) : 0
    const ids = newIds(streams)
    for (let start = 0; start < streams; start += 1000) {
      const tx = idb.transaction('events', 'readwrite')
      for (let i = start; i < Math.min(streams, start + 1000); i++) void tx.store.add(eventOf(todoStream(ids[i]!), 'TodoCreated', { todoId: ids[i], title: titleOf(i) }))
      await tx.done
    }
    const picked = targets(params)
    const fresh = existing(shape) ? [] : newIds(n)
    const done = new Map<string, boolean>()
    const eventAt = (i: number) => {
      if (shape === 'shared') return eventOf(sharedList, 'TodoAdded', { todoId: fresh[i], title: titleOf(i) })
      if (shape === 'create') return eventOf(todoStream(fresh[i]!), 'TodoCreated', { todoId: fresh[i], title: titleOf(i) })
      const todoId = ids[picked[i]!]!
      const next = !(done.get(todoId) ?? false)
      done.set(todoId, next)
      return eventOf(todoStream(todoId), 'TodoToggled', { todoId, done: next })
    }
    const elapsed = await appendTimed(idb, n, batch, eventAt)
    check('raw event count', await idb.count('events'), streams + n)
    return elapsed
  })
}

/** A todo as a raw-IndexedDB app keeps it: one record, updated in place. */
interface TodoRecord {
  readonly id: string
  readonly title: string
  readonly done: boolean
  readonly toggles: number
}

interface RecordsDb extends DBSchema {
  todos: { key: string; value: TodoRecord }
}

/** The database of the record baseline, beside the run's raw database. */
export const recordsDbName = (db: string) => `${db}-records`

const openRecords = (db: string): Promise<IDBPDatabase<RecordsDb>> =>
  openDB<RecordsDb>(recordsDbName(db), 1, {
    upgrade(idb) {
      idb.createObjectStore('todos', { keyPath: 'id' })
    },
  })

/**
 * A detail for `cold` and `working` (not the target): what a raw-IndexedDB app does to update an
 * existing record. `streams` records are put first (untimed); then each command is a readwrite
 * transaction that gets the record and puts it back toggled, `batch` commands per transaction.
 */
export function rawRecords(params: ShapeParams & { readonly batch: number }): Promise<number> {
  const { db, n, batch, streams = 0 } = params
  return usingDb(openRecords(db), async (idb) => {
    const ids = newIds(streams)
    for (let start = 0; start < streams; start += 1000) {
      const tx = idb.transaction('todos', 'readwrite')
      for (let i = start; i < Math.min(streams, start + 1000); i++) void tx.store.put({ id: ids[i]!, title: titleOf(i), done: false, toggles: 0 })
      await tx.done
    }
    const picked = targets(params)
    const started = performance.now()
    for (let start = 0; start < n; start += batch) {
      const tx = idb.transaction('todos', 'readwrite')
      // A record picked twice in one transaction is read once and toggled twice.
      const times = new Map<string, number>()
      for (const k of picked.slice(start, start + batch)) times.set(ids[k]!, (times.get(ids[k]!) ?? 0) + 1)
      const updates = [...times].map(async ([id, count]) => {
        const record = await tx.store.get(id)
        if (!record) throw new Error(`Benchmark check failed: record ${id} is missing`)
        await tx.store.put({ ...record, done: record.done !== (count % 2 === 1), toggles: record.toggles + count })
      })
      await Promise.all([...updates, tx.done])
    }
    const elapsed = performance.now() - started
    const toggles = (await idb.getAll('todos')).reduce((sum, r) => sum + r.toggles, 0)
    check('raw record toggles', toggles, n)
    return elapsed
  })
}
