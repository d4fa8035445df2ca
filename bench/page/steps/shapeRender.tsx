// Scenario 13: dispatch to render (as scenario 3) on shapes (b) and (c) of scenarios 10 and 11:
// each command creates a todo stream, or toggles a todo already in the log after a cold start.
import { useProjection } from '@chronicle/react'
import { openRaw } from '../raw'
import { check, usingDb } from '../store'
import { createTodo, newIds, picks, rawTodoEvents, titleOf, todoStats, todoStream, toggleTodo, usingTodoStore } from '../todos'
import { chronicleLatencies, Count, rawLatencies, warmUp, type Latencies, type Probe } from './render'
import { fillTodos } from './shapes'

/** Parameters of a shape render step: `create` (b) or `cold` (c, over `streams` todos in the log). */
export interface ShapeRenderParams {
  readonly db: string
  readonly shape: 'create' | 'cold'
  readonly n: number
  readonly streams: number
  readonly seed: number
}

/** For `cold`: which of the `streams` todos each command (warm-up included) toggles, each once. */
function order({ shape, n, streams, seed }: ShapeRenderParams): number[] {
  if (shape === 'create') return []
  check('streams enough for one command each', streams >= n + warmUp, true)
  return picks(streams, n + warmUp, seed, true)
}

function TodoCount({ probe, of }: { probe: Probe; of: 'todos' | 'toggles' }) {
  const value = useProjection(todoStats, (s) => s[of])
  return <Count value={value} probe={probe} />
}

/** Chronicle: `store.dispatch` to the commit of a component that `useProjection`s the todos (b) or toggles (c). */
export async function chronicleShapeRender(params: ShapeRenderParams): Promise<Latencies> {
  const { db, shape, n } = params
  const cold = shape === 'cold'
  const ids = newIds(cold ? params.streams : n + warmUp)
  if (cold) await fillTodos(db, ids)
  const picked = order(params)
  return usingTodoStore(db, async (store) => {
    await store.ready
    const View = ({ probe }: { probe: Probe }) => <TodoCount probe={probe} of={cold ? 'toggles' : 'todos'} />
    const latencies = await chronicleLatencies(store, n, View, (i) => store.dispatch(cold ? toggleTodo({ todoId: ids[picked[i]!]! }) : createTodo({ todoId: ids[i]!, title: titleOf(i) })))
    check('commands applied', store.read(todoStats)[cold ? 'toggles' : 'todos'], n + warmUp)
    return latencies
  })
}

/** Baseline: the same event in a raw transaction of its own, then a plain external store tells a component. */
export function rawShapeRender(params: ShapeRenderParams): Promise<Latencies> {
  const { db, shape, n } = params
  return usingDb(openRaw(db), async (idb) => {
    const eventOf = rawTodoEvents()
    const cold = shape === 'cold'
    const ids = newIds(cold ? params.streams : n + warmUp)
    if (cold) {
      const tx = idb.transaction('events', 'readwrite')
      ids.forEach((todoId, i) => void tx.store.add(eventOf(todoStream(todoId), 'TodoCreated', { todoId, title: titleOf(i) })))
      await tx.done
    }
    const picked = order(params)
    const latencies = await rawLatencies(idb, n, (i) => {
      if (!cold) return eventOf(todoStream(ids[i]!), 'TodoCreated', { todoId: ids[i], title: titleOf(i) })
      const todoId = ids[picked[i]!]!
      return eventOf(todoStream(todoId), 'TodoToggled', { todoId, done: true })
    })
    check('raw event count', await idb.count('events'), (cold ? params.streams : 0) + n + warmUp)
    return latencies
  })
}
