import { useEffect, useRef, useState } from 'react'
import type { Store } from '@chronicle/core'
import { exportBundle, openBundle, projectionMismatches, readBundle, type ReproBundle } from './bundle'
import type { BundleProgress } from './bundleCheck'
import { useStoreValue } from './hooks'
import type { LogFilter } from './logIndex'

export interface FiltersProps {
  readonly types: readonly string[]
  readonly filter: Required<LogFilter>
  readonly onChange: (filter: Required<LogFilter>) => void
}

/** Filters by event type (exact) and stream (part of its name). */
export function Filters({ types, filter, onChange }: FiltersProps) {
  return (
    <div className="chr-dt-filters" role="group" aria-label="Filters">
      <select aria-label="Filter by type" value={filter.type} onChange={(event) => onChange({ ...filter, type: event.currentTarget.value })}>
        <option value="">all types</option>
        {types.map((type) => (
          <option key={type} value={type}>
            {type}
          </option>
        ))}
      </select>
      <input
        type="search"
        aria-label="Filter by stream"
        placeholder="stream contains…"
        value={filter.stream}
        onChange={(event) => onChange({ ...filter, stream: event.currentTarget.value })}
      />
    </div>
  )
}

export interface HistoryButtonsProps {
  readonly store: Store
  readonly onError: (error: unknown) => void
}

/** Undo and redo of this tab's commands (refused while travelling, as the store refuses them). */
export function HistoryButtons({ store, onError }: HistoryButtonsProps) {
  const canUndo = useStoreValue(store.history.canUndo$, () => store.history.canUndo)
  const canRedo = useStoreValue(store.history.canRedo$, () => store.history.canRedo)
  const travelling = useStoreValue(store.travelling$, () => store.travelling)
  const [busy, setBusy] = useState(false)
  const run = (action: () => Promise<unknown>) => {
    setBusy(true)
    action()
      .catch(onError)
      .finally(() => setBusy(false))
  }
  const button = (kind: 'undo' | 'redo', allowed: boolean, target: string | undefined) => (
    <button
      type="button"
      disabled={busy || !allowed || travelling !== null}
      title={travelling !== null ? 'Return to live first' : target ? `${kind === 'undo' ? 'Undo' : 'Redo'} command ${target}` : `Nothing to ${kind} in this tab`}
      onClick={() => run(() => store.history[kind]())}
    >
      {kind === 'undo' ? 'Undo' : 'Redo'}
    </button>
  )
  return (
    <div className="chr-dt-history" role="group" aria-label="History">
      {button('undo', canUndo, store.history.undoTarget)}
      {button('redo', canRedo, store.history.redoTarget)}
    </div>
  )
}

/** Saves a bundle as a JSON file through a temporary link. */
function download(bundle: ReproBundle) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(bundle, null, 1)], { type: 'application/json' }))
  const link = document.createElement('a')
  link.href = url
  link.download = `${bundle.store}-repro-${bundle.range.to}.json`
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/** What the panel shows after an import. */
export interface Replay {
  readonly store: Store
  readonly bundle: ReproBundle
  /** Projections whose version differs from the bundle's. */
  readonly mismatches: readonly string[]
}

export interface BundleButtonsProps {
  readonly store: Store
  /** The last position to export (the selected event, or where the store travels). */
  readonly upTo: number
  readonly onImported: (replay: Replay) => void
  readonly onError: (error: unknown) => void
}

const phaseNames: Record<BundleProgress['phase'], string> = { checking: 'Checking', importing: 'Importing', replaying: 'Replaying' }

/**
 * Reads, checks, imports and replays a bundle file in slices, so the page stays responsive for
 * large ones (100,000 events); resolves with the replay, or undefined when cancelled.
 */
async function importFile(file: File, store: Store, signal: AbortSignal, onProgress: (progress: BundleProgress) => void): Promise<Replay | undefined> {
  try {
    const text = await file.text()
    const bundle = await readBundle(text, { projections: store.projections, signal, onProgress })
    const replay = await openBundle(bundle, { projections: store.projections, signal, onProgress })
    return { store: replay, bundle, mismatches: projectionMismatches(bundle, store.projections) }
  } catch (error) {
    if (signal.aborted) return undefined
    throw error
  }
}

/** Export a repro bundle (the log up to a position) and import one into a fresh in-memory store. */
export function BundleButtons({ store, upTo, onImported, onError }: BundleButtonsProps) {
  const [progress, setProgress] = useState<BundleProgress | null>(null)
  const running = useRef<AbortController | null>(null)
  // Closing the panel cancels an import under way.
  useEffect(() => () => running.current?.abort(), [])
  const start = (file: File) => {
    running.current?.abort()
    const controller = new AbortController()
    running.current = controller
    setProgress({ phase: 'checking', done: 0, total: 0 })
    importFile(file, store, controller.signal, (next) => {
      if (!controller.signal.aborted) setProgress(next)
    })
      .then((replay) => {
        if (replay && !controller.signal.aborted) onImported(replay)
        else void replay?.store.close()
      }, onError)
      .finally(() => {
        if (running.current === controller) {
          running.current = null
          setProgress(null)
        }
      })
  }
  return (
    <div className="chr-dt-bundle" role="group" aria-label="Repro bundle">
      {progress && (
        <span role="status" aria-label="Bundle import" className="chr-dt-progress">
          {progress.total > 0 ? `${phaseNames[progress.phase]} ${progress.done.toLocaleString('en')} of ${progress.total.toLocaleString('en')} events…` : 'Reading the file…'}{' '}
          <progress max={Math.max(1, progress.total)} value={progress.done} aria-label="Import progress" />{' '}
          <button type="button" onClick={() => running.current?.abort()}>
            Cancel import
          </button>
        </span>
      )}
      <button type="button" title={`Save events 1 to ${upTo} as a JSON repro bundle`} onClick={() => exportBundle(store, { to: upTo }).then(download, onError)}>
        Export
      </button>
      <label className="chr-dt-button" title="Open a repro bundle in a fresh in-memory store">
        Import
        <input
          type="file"
          accept="application/json,.json"
          className="chr-dt-file"
          onChange={(event) => {
            const file = event.currentTarget.files?.[0]
            event.currentTarget.value = ''
            if (file) start(file)
          }}
        />
      </label>
    </div>
  )
}
