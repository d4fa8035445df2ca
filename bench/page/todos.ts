// The domain shapes of issue #18, where each entity is its own aggregate: todos on one shared
// list (a), or each todo a stream of its own (b, c, d). Scenarios 9-13 write these events, and
// their raw IndexedDB baselines write envelopes of exactly the same shape.
import * as v from 'valibot'
import { createStore, defineAggregate, defineCommand, defineEvent, defineProjection, indexedDbStorage, RuleViolation, type Store } from '@chronicle/core'
import type { RawEvent } from './raw'

export const TodoAdded = defineEvent('TodoAdded', v.object({ todoId: v.string(), title: v.string() }))
export const TodoCreated = defineEvent('TodoCreated', v.object({ todoId: v.string(), title: v.string() }))
export const TodoToggled = defineEvent('TodoToggled', v.object({ todoId: v.string(), done: v.boolean() }))

/** Shape (a): every todo in one list aggregate, one stream for all. */
export const todoList = defineAggregate({
  name: 'todoList',
  events: [TodoAdded],
  initial: () => ({ ids: {} as Record<string, true> }),
  evolve: {
    TodoAdded: (draft, e) => {
      draft.ids[e.todoId] = true
    },
  },
})

/** The one stream of shape (a). */
export const sharedList = 'todos-shared'

export const addTodo = defineCommand({
  type: 'addTodo',
  schema: v.object({ todoId: v.string(), title: v.string() }),
  aggregate: todoList,
  stream: () => sharedList,
  handle: (state, cmd) => {
    if (state.ids[cmd.todoId]) throw new RuleViolation('todo-exists', `Todo ${cmd.todoId} is already in the list`)
    return TodoAdded({ todoId: cmd.todoId, title: cmd.title })
  },
})

/** Shapes (b)-(d): each todo an aggregate (a stream) of its own. */
export const todo = defineAggregate({
  name: 'todo',
  events: [TodoCreated, TodoToggled],
  initial: () => ({ exists: false, done: false }),
  evolve: {
    TodoCreated: (draft) => {
      draft.exists = true
    },
    TodoToggled: (draft, e) => {
      draft.done = e.done
    },
  },
})

/** The stream of one todo. */
export const todoStream = (todoId: string) => `todo-${todoId}`

export const createTodo = defineCommand({
  type: 'createTodo',
  schema: v.object({ todoId: v.string(), title: v.string() }),
  aggregate: todo,
  stream: (cmd) => todoStream(cmd.todoId),
  handle: (state, cmd) => {
    if (state.exists) throw new RuleViolation('todo-exists', `Todo ${cmd.todoId} exists`)
    return TodoCreated({ todoId: cmd.todoId, title: cmd.title })
  },
})

export const toggleTodo = defineCommand({
  type: 'toggleTodo',
  schema: v.object({ todoId: v.string() }),
  aggregate: todo,
  stream: (cmd) => todoStream(cmd.todoId),
  handle: (state, cmd) => {
    if (!state.exists) throw new RuleViolation('todo-missing', `Todo ${cmd.todoId} does not exist`)
    return TodoToggled({ todoId: cmd.todoId, done: !state.done })
  },
})

/** How many todos exist and how many toggles happened: a small read model, to check the work. */
export const todoStats = defineProjection({
  name: 'todoStats',
  version: 1,
  events: [TodoAdded, TodoCreated, TodoToggled],
  initial: { todos: 0, toggles: 0 },
  on: {
    TodoAdded: (draft) => void draft.todos++,
    TodoCreated: (draft) => void draft.todos++,
    TodoToggled: (draft) => void draft.toggles++,
  },
})

export const todoCommands = [addTodo, createTodo, toggleTodo]

/** A title of the same length for every todo. */
export const titleOf = (i: number) => `Todo number ${String(i).padStart(6, '0')}`

/** A store over the todo shapes, with Chronicle's defaults (as `openStore` for the boards). */
export function openTodoStore(name: string): Store {
  return createStore({ name, commands: todoCommands, projections: [todoStats], storage: indexedDbStorage(), persist: false })
}

/** Runs `work` with a todo store and closes it, also when `work` throws. */
export async function usingTodoStore<T>(name: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = openTodoStore(name)
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

/** `count` fresh todo ids (uuids, as an app would make them). */
export const newIds = (count: number) => Array.from({ length: count }, () => crypto.randomUUID())

/**
 * `count` picks among `size` items, from a seeded generator (mulberry32), so every run and both
 * sides of a run touch the same positions. With `distinct`, a random order of `count` distinct items.
 */
export function picks(size: number, count: number, seed: number, distinct: boolean): number[] {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  if (!distinct) return Array.from({ length: count }, () => Math.floor(next() * size))
  const order = Array.from({ length: size }, (_, i) => i)
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  return order.slice(0, count)
}

/**
 * Envelopes as Chronicle writes them for these commands: same fields, same payloads, fresh ids,
 * stream versions counted per stream (from `versions`, which the caller may pre-fill).
 */
export function rawTodoEvents(versions = new Map<string, number>()) {
  const origin = crypto.randomUUID()
  return (stream: string, type: 'TodoAdded' | 'TodoCreated' | 'TodoToggled', payload: unknown): RawEvent => {
    const commandId = crypto.randomUUID()
    const meta = { commandId, causationId: commandId, correlationId: commandId, at: Date.now(), origin }
    const version = (versions.get(stream) ?? 0) + 1
    versions.set(stream, version)
    return { id: crypto.randomUUID(), stream, version, type, schemaVersion: 1, payload, meta }
  }
}
