import { useDeferredValue, useEffect, useMemo, useState } from 'react'
import { isChronicleError, type Store } from '@chronicle/core'
import { useEnvelopeCache, useLogIndex, useStoreValue } from './hooks'
import { Inspector } from './Inspector'
import type { LogFilter } from './logIndex'
import type { EventStatusFunction } from './status'
import { Timeline } from './Timeline'
import { TimeTravel } from './TimeTravel'
import { BundleButtons, Filters, HistoryButtons, type Replay } from './Toolbar'

/** An error as one line for the panel's alert. */
function describe(error: unknown): string {
  if (isChronicleError(error)) return `${error.name} (${error.code}): ${error.message}`
  return error instanceof Error ? error.message : String(error)
}

export interface PanelProps {
  readonly store: Store
  readonly status: EventStatusFunction
  readonly onClose: () => void
}

/**
 * The open panel: a toolbar, the timeline and the inspector, over the app's store or over a store
 * replaying an imported bundle. Closing it returns a travelling store to live.
 */
export function Panel({ store: appStore, status, onClose }: PanelProps) {
  const [replay, setReplay] = useState<(Replay & { readonly id: number }) | null>(null)
  useEffect(() => {
    if (!replay) return
    return () => void replay.store.close()
  }, [replay])
  useEffect(() => {
    // Time travel and the read models at a position jump from the store's snapshot index: build it
    // in the background now, so the first selection does not wait for it.
    void appStore.prepareTravel().catch(() => undefined)
    return () => {
      if (appStore.travelling !== null) void appStore.travel(null).catch(() => undefined)
    }
  }, [appStore])
  const store = replay?.store ?? appStore
  return (
    <div className="chr-dt-panel">
      {replay && (
        <div role="status" aria-label="Repro bundle replay" className="chr-dt-banner">
          {`Replaying bundle "${replay.bundle.store}": ${replay.bundle.events.length} events exported ${replay.bundle.exportedAt}, in a fresh in-memory store.`}
          {replay.mismatches.length > 0 && ` Projection versions differ (${replay.mismatches.join('; ')}): states may differ from the author's.`}{' '}
          <button type="button" onClick={() => setReplay(null)}>
            Back to the app
          </button>
        </div>
      )}
      <StoreView
        key={replay?.id ?? 'app'}
        store={store}
        status={status}
        onClose={onClose}
        onImported={(next) => setReplay({ ...next, id: (replay?.id ?? 0) + 1 })}
      />
    </div>
  )
}

interface StoreViewProps {
  readonly store: Store
  readonly status: EventStatusFunction
  readonly onClose: () => void
  readonly onImported: (replay: Replay) => void
}

function StoreView({ store, status, onClose, onImported }: StoreViewProps) {
  const index = useLogIndex(store)
  const cache = useEnvelopeCache(store)
  const travelling = useStoreValue(store.travelling$, () => store.travelling)
  const [filter, setFilter] = useState<Required<LogFilter>>({ type: '', stream: '' })
  // Typing stays responsive: the filter pass over the index runs with the deferred value.
  const applied = useDeferredValue(filter)
  const version = index.version
  const rows = useMemo(() => index.select(applied), [index, version, applied])
  const [selected, setSelected] = useState<number | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const onError = (error: unknown) => setMessage(describe(error))
  const travelTo = (seq: number) => {
    store.travel(seq).catch(onError)
  }

  return (
    <>
      <div className="chr-dt-toolbar">
        <strong className="chr-dt-title">Chronicle</strong>
        <span className="chr-dt-dim">{`${store.name} · ${rows ? `${rows.length} of ` : ''}${index.size} events${index.complete ? '' : ' (indexing…)'}`}</span>
        <Filters types={index.types} filter={filter} onChange={setFilter} />
        <TimeTravel store={store} onStep={(position) => setSelected(position > 0 ? position : null)} onError={onError} />
        <HistoryButtons store={store} onError={onError} />
        <BundleButtons store={store} upTo={selected ?? travelling ?? store.position} onImported={onImported} onError={onError} />
        <button type="button" className="chr-dt-close" aria-label="Close Chronicle devtools" onClick={onClose}>
          ✕
        </button>
      </div>
      {message !== null && (
        <div role="alert" className="chr-dt-alert">
          {message}{' '}
          <button type="button" aria-label="Dismiss" onClick={() => setMessage(null)}>
            ×
          </button>
        </div>
      )}
      {index.error !== undefined && <div role="alert" className="chr-dt-alert">{`The log could not be read: ${describe(index.error)}`}</div>}
      <div className="chr-dt-main">
        <Timeline store={store} index={index} cache={cache} rows={rows} selected={selected} onSelect={setSelected} travelling={travelling} status={status} filter={applied} />
        <Inspector store={store} index={index} cache={cache} selected={selected} status={status} onSelect={setSelected} onTravel={travelTo} />
      </div>
    </>
  )
}
