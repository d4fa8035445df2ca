import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react'
import type { EventEnvelope, Store } from '@chronicle/core'
import type { EnvelopeCache } from './envelopeCache'
import { useVersion } from './hooks'
import type { LogFilter, LogIndex } from './logIndex'
import { PendingCommands } from './PendingCommands'
import { rowHeight, short, time } from './rowFormat'
import type { EventStatusFunction } from './status'

/** Rows rendered above and below the visible ones. */
const overscan = 8
/** The viewport height assumed before it can be measured (or where there is no layout, as in jsdom). */
const fallbackHeight = 320

export interface TimelineProps {
  readonly store: Store
  readonly index: LogIndex
  readonly cache: EnvelopeCache
  /** Index rows to show (a filter's result), or undefined for all of them. */
  readonly rows: Uint32Array | undefined
  readonly selected: number | null
  readonly onSelect: (seq: number) => void
  /** The position the store travels at (later rows are dimmed), or null when live. */
  readonly travelling: number | null
  readonly status: EventStatusFunction
  /** The filter the rows come from (the pending commands under the list use it too). */
  readonly filter: LogFilter
}

/** Tracks an element's height (ResizeObserver where there is one). */
function useHeight(element: HTMLElement | null) {
  const [height, setHeight] = useState(fallbackHeight)
  useLayoutEffect(() => {
    if (!element) return
    const measure = () => setHeight(element.clientHeight || fallbackHeight)
    measure()
    if (typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(measure)
    observer.observe(element)
    return () => observer.disconnect()
  }, [element])
  return height
}

/**
 * The event list, virtualised: only the rows in view (plus a few) are in the DOM, and only their
 * envelopes are read from the log (by range, through the cache). It sticks to the newest event
 * while scrolled to the bottom.
 */
export function Timeline({ store, index, cache, rows, selected, onSelect, travelling, status, filter }: TimelineProps) {
  useVersion(cache)
  const [viewport, setViewport] = useState<HTMLDivElement | null>(null)
  const height = useHeight(viewport)
  const [scrollTop, setScrollTop] = useState(0)
  const atBottom = useRef(true)
  const count = rows ? rows.length : index.size
  const rowAt = (i: number) => (rows ? rows[i]! : i)
  const total = count * rowHeight

  // Follow new events while at the bottom, as a log viewer does.
  useLayoutEffect(() => {
    if (!viewport || !atBottom.current) return
    viewport.scrollTop = Math.max(0, total - viewport.clientHeight)
    setScrollTop(viewport.scrollTop)
  }, [viewport, total])

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan)
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan)
  const visible: number[] = []
  for (let i = first; i < last; i++) visible.push(index.seq(rowAt(i)))

  const key = visible.join(',')
  useEffect(() => {
    // Reads what scrolled into view; a failed read leaves '…' in those rows.
    void cache.ensure(key ? key.split(',').map(Number) : []).catch(() => undefined)
  }, [cache, key])

  // Keep the selected row in view when it changes from outside (step buttons, keyboard).
  const selectedIndex = selected === null ? -1 : findRow(index, rows, selected)
  useEffect(() => {
    if (!viewport || selectedIndex < 0) return
    const top = selectedIndex * rowHeight
    if (top < viewport.scrollTop) viewport.scrollTop = top
    else if (top + rowHeight > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = top + rowHeight - viewport.clientHeight
  }, [viewport, selectedIndex])

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return
    event.preventDefault()
    const from = selectedIndex < 0 ? count : selectedIndex
    const next = Math.min(count - 1, Math.max(0, from + (event.key === 'ArrowDown' ? 1 : -1)))
    if (next >= 0 && next < count) onSelect(index.seq(rowAt(next)))
  }

  return (
    <div className="chr-dt-timeline">
      <div className="chr-dt-row chr-dt-head" aria-hidden="true">
        <span>#</span>
        <span>time</span>
        <span>type</span>
        <span>stream</span>
        <span>command</span>
        <span>origin</span>
        <span>status</span>
      </div>
      <div
        ref={setViewport}
        className="chr-dt-viewport"
        role="listbox"
        aria-label="Events"
        aria-activedescendant={selected === null ? undefined : `chr-dt-event-${selected}`}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onScroll={(event) => {
          const element = event.currentTarget
          atBottom.current = element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeight
          setScrollTop(element.scrollTop)
        }}
      >
        <div style={{ height: total, position: 'relative' }}>
          {visible.map((seq, offset) => {
            const i = first + offset
            const row = rowAt(i)
            return (
              <Row
                key={seq}
                top={i * rowHeight}
                seq={seq}
                type={index.type(row)}
                stream={index.stream(row)}
                startsCommand={index.startsCommand(row)}
                envelope={cache.get(seq)}
                store={store}
                status={status}
                selected={seq === selected}
                future={travelling !== null && seq > travelling}
                onSelect={onSelect}
              />
            )
          })}
        </div>
      </div>
      <PendingCommands store={store} filter={filter} />
    </div>
  )
}

function findRow(index: LogIndex, rows: Uint32Array | undefined, seq: number): number {
  const row = index.rowAtOrBefore(seq)
  if (row < 0 || index.seq(row) !== seq) return -1
  if (!rows) return row
  // Filtered rows are in log order: binary search for the index row.
  let low = 0
  let high = rows.length - 1
  while (low <= high) {
    const mid = (low + high) >>> 1
    if (rows[mid] === row) return mid
    if (rows[mid]! < row) low = mid + 1
    else high = mid - 1
  }
  return -1
}

interface RowProps {
  readonly top: number
  readonly seq: number
  readonly type: string
  readonly stream: string
  readonly startsCommand: boolean
  readonly envelope: EventEnvelope | undefined
  readonly store: Store
  readonly status: EventStatusFunction
  readonly selected: boolean
  readonly future: boolean
  readonly onSelect: (seq: number) => void
}

function Row({ top, seq, type, stream, startsCommand, envelope, store, status, selected, future, onSelect }: RowProps) {
  const state = envelope ? status(envelope, store) : undefined
  const classes = ['chr-dt-row', startsCommand && 'chr-dt-command-start', selected && 'chr-dt-selected', future && 'chr-dt-future', state && `chr-dt-${state}`]
  return (
    <div
      id={`chr-dt-event-${seq}`}
      role="option"
      aria-selected={selected}
      data-seq={seq}
      className={classes.filter(Boolean).join(' ')}
      style={{ position: 'absolute', top, left: 0, right: 0, height: rowHeight }}
      onClick={() => onSelect(seq)}
    >
      <span>{seq}</span>
      <span>{envelope ? time(envelope.meta.at) : '…'}</span>
      <span>{type}</span>
      <span>{stream}</span>
      <span title={envelope?.meta.commandId}>{envelope ? short(envelope.meta.commandId) : '…'}</span>
      <span title={envelope?.meta.origin}>{envelope ? (envelope.meta.origin === store.origin ? 'this tab' : short(envelope.meta.origin)) : '…'}</span>
      <span className="chr-dt-status">{state ?? '…'}</span>
    </div>
  )
}
