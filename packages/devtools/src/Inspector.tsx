import { useEffect, useState } from 'react'
import type { EventEnvelope, Store } from '@chronicle/core'
import { CausationView } from './CausationView'
import type { EnvelopeCache } from './envelopeCache'
import { useVersion } from './hooks'
import type { LogIndex } from './logIndex'
import { ReadModelsView } from './ReadModelsView'
import { StateTree } from './StateTree'
import type { EventStatusFunction } from './status'

type Tab = 'event' | 'causation' | 'state'
const tabs: readonly { readonly id: Tab; readonly label: string }[] = [
  { id: 'event', label: 'Event' },
  { id: 'causation', label: 'Causation' },
  { id: 'state', label: 'Read models' },
]

export interface InspectorProps {
  readonly store: Store
  readonly index: LogIndex
  readonly cache: EnvelopeCache
  readonly selected: number | null
  readonly status: EventStatusFunction
  readonly onSelect: (seq: number) => void
  readonly onTravel: (seq: number) => void
}

/** The right side of the panel: one event, its causation chain, and the read models at its position. */
export function Inspector({ store, index, cache, selected, status, onSelect, onTravel }: InspectorProps) {
  const [tab, setTab] = useState<Tab>('event')
  useVersion(cache)
  const envelope = selected === null ? undefined : cache.get(selected)
  useEffect(() => {
    if (selected !== null) void cache.ensure([selected]).catch(() => undefined)
  }, [cache, selected])

  return (
    <div className="chr-dt-inspector">
      <div role="tablist" aria-label="Inspector" className="chr-dt-tabs">
        {tabs.map((t) => (
          <button key={t.id} type="button" role="tab" id={`chr-dt-tab-${t.id}`} aria-selected={tab === t.id} aria-controls="chr-dt-tabpanel" onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="chr-dt-tabpanel" aria-labelledby={`chr-dt-tab-${tab}`} className="chr-dt-tabpanel">
        {tab === 'state' ? (
          <ReadModelsView store={store} position={selected} />
        ) : selected === null ? (
          <p className="chr-dt-hint">Select an event in the timeline.</p>
        ) : !envelope ? (
          <p className="chr-dt-hint">{`Reading event ${selected}…`}</p>
        ) : tab === 'event' ? (
          <EventView envelope={envelope} store={store} status={status} onTravel={onTravel} />
        ) : (
          <CausationView index={index} cache={cache} envelope={envelope} onSelect={onSelect} />
        )}
      </div>
    </div>
  )
}

interface EventViewProps {
  readonly envelope: EventEnvelope
  readonly store: Store
  readonly status: EventStatusFunction
  readonly onTravel: (seq: number) => void
}

/** Every field of one envelope; the payload as a tree of text. */
function EventView({ envelope, store, status, onTravel }: EventViewProps) {
  const { meta } = envelope
  const fields: [string, string][] = [
    ['position', String(envelope.seq)],
    ['type', `${envelope.type} (schema v${envelope.schemaVersion})`],
    ['stream', `${envelope.stream} @ version ${envelope.version}`],
    ['status', status(envelope, store)],
    ['time', new Date(meta.at).toISOString()],
    ['origin', meta.origin === store.origin ? `${meta.origin} (this tab)` : meta.origin],
    ['event id', envelope.id],
    ['command', meta.commandId],
    ['causation', meta.causationId],
    ['correlation', meta.correlationId],
  ]
  return (
    <div className="chr-dt-event" aria-label={`Event ${envelope.seq}`}>
      <dl className="chr-dt-fields">
        {fields.map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <button type="button" onClick={() => onTravel(envelope.seq)}>
        Travel here
      </button>
      <StateTree label="payload" value={envelope.payload} />
    </div>
  )
}
