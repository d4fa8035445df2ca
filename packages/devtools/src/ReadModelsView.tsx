import { useEffect, useState } from 'react'
import type { Store } from '@chronicle/core'
import { diffStates, formatPath, type StateDiff } from './diff'
import { useStoreValue } from './hooks'
import { preview, StateTree } from './StateTree'

interface ModelAt {
  readonly name: string
  readonly version: number
  readonly state?: unknown
  readonly diff?: StateDiff
  readonly error?: string
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

/**
 * Every read model at one position, with what the event at that position changed (a diff against
 * the position before). Computed only here, for the selected position, through `store.stateAt`:
 * nothing is kept or serialised per event.
 */
async function modelsAt(store: Store, position: number, cancelled: () => boolean): Promise<ModelAt[] | undefined> {
  const models: ModelAt[] = []
  for (const projection of store.projections) {
    if (cancelled()) return undefined
    const { name, version } = projection
    try {
      // Each fold is its own task, so the page can paint and take input between them.
      await nextTask()
      const state = await store.stateAt(projection, position)
      await nextTask()
      const before = position > 0 ? await store.stateAt(projection, position - 1) : state
      models.push({ name, version, state, diff: diffStates(before, state) })
    } catch (error) {
      models.push({ name, version, error: error instanceof Error ? error.message : String(error) })
    }
  }
  return models
}

/**
 * One fold at a time per store: a selection that is already superseded (quick arrow keys, React's
 * StrictMode running effects twice) never starts, and the first, expensive `stateAt` (which builds
 * the store's time-travel snapshots) runs once rather than once per request.
 */
const queues = new WeakMap<Store, Promise<unknown>>()
function serially<T>(store: Store, task: () => Promise<T>): Promise<T> {
  const next = (queues.get(store) ?? Promise.resolve()).then(task)
  queues.set(store, next.catch(() => undefined))
  return next
}

export interface ReadModelsViewProps {
  readonly store: Store
  /** The selected event's position, or null for what the store shows now. */
  readonly position: number | null
}

export function ReadModelsView({ store, position }: ReadModelsViewProps) {
  const [result, setResult] = useState<{ readonly position: number; readonly models: ModelAt[] } | undefined>()
  // Without a selection: the store's own state, live or travelled, following it.
  const shown = useStoreValue(store.position$, () => store.position)
  const travelling = useStoreValue(store.travelling$, () => store.travelling)
  useEffect(() => {
    if (position === null) return
    let live = true
    void serially(store, () => modelsAt(store, position, () => !live)).then((models) => {
      if (live && models) setResult({ position, models })
    })
    return () => {
      live = false
    }
  }, [store, position])

  if (store.projections.length === 0) return <p className="chr-dt-hint">This store has no projections.</p>
  if (position === null) {
    return (
      <div className="chr-dt-models">
        <p className="chr-dt-hint">{travelling === null ? `Live state at position ${shown}. Select an event to see the state after it.` : `Travelling: state at position ${travelling}.`}</p>
        {store.projections.map((projection) => (
          <section key={projection.name} aria-label={`Read model ${projection.name}`} className="chr-dt-model">
            <h3>
              {projection.name} <small>{`v${projection.version}`}</small>
            </h3>
            <StateTree label="state" value={store.read(projection)} />
          </section>
        ))}
      </div>
    )
  }
  if (!result || result.position !== position) return <p className="chr-dt-hint">{`Folding the read models to position ${position}…`}</p>
  return (
    <div className="chr-dt-models">
      <p className="chr-dt-hint">{`State after event ${position}, compared with position ${Math.max(0, position - 1)}.`}</p>
      {result.models.map((model) => (
        <section key={model.name} aria-label={`Read model ${model.name}`} className="chr-dt-model">
          <h3>
            {model.name} <small>{`v${model.version}`}</small>
          </h3>
          {model.error !== undefined ? <p role="alert">{model.error}</p> : <ModelDiff diff={model.diff!} />}
          {model.error === undefined && <StateTree label="state" value={model.state} />}
        </section>
      ))}
    </div>
  )
}

function ModelDiff({ diff }: { readonly diff: StateDiff }) {
  if (diff.changes.length === 0) return <p className="chr-dt-dim">No change at this event.</p>
  return (
    <div className="chr-dt-diff">
      <p>{`${diff.changes.length}${diff.complete ? '' : '+'} change${diff.changes.length === 1 ? '' : 's'}${diff.complete ? '' : ' (the diff stopped at its limit)'}`}</p>
      <ul aria-label="Changes">
        {diff.changes.map((change) => (
          <li key={formatPath(change.path)} className={`chr-dt-change chr-dt-${change.kind}`}>
            <span className="chr-dt-path">{formatPath(change.path)}</span>{' '}
            {change.kind === 'added' ? `+ ${preview(change.after)}` : change.kind === 'removed' ? `− ${preview(change.before)}` : `${preview(change.before)} → ${preview(change.after)}`}
          </li>
        ))}
      </ul>
    </div>
  )
}
