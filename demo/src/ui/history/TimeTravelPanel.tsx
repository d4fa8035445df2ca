import { useEffect, useId, useRef } from 'react'
import { useProjection } from '@chronicle/react'
import { activity } from '../../domain'
import { activityText } from '../activity/ActivitySentence'
import { formatDateTime } from '../format'
import { useTravel } from './useTravel'

/**
 * The time-travel panel: a slider over every position of the log, a step back and forward, and
 * "Back to live". While it shows the past, the board is read-only (see `TravelBanner`).
 */
export function TimeTravelPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const { travelling, head, start, go } = useTravel()
  // While travelling, every read model is as of that position: its last entry is what happened there.
  const last = useProjection(activity, (s) => s.entries.at(-1))
  const shown = travelling ?? head
  const slider = useRef<HTMLInputElement>(null)
  const titleId = useId()
  const hintId = useId()

  useEffect(() => slider.current?.focus(), [])
  const what = last ? `${formatDateTime(last.at)}: ${activityText(last)}` : 'Before the first change'
  const where = travelling === null ? `Live, event ${head}` : `Event ${shown} of ${head}`

  return (
    <section
      id={id}
      className="travel-panel"
      aria-labelledby={titleId}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return
        e.stopPropagation()
        onClose()
      }}
    >
      <div className="travel-panel-header">
        <h2 id={titleId} className="travel-panel-title">
          Time travel
        </h2>
        <button type="button" className="icon-button" aria-label="Close time travel" onClick={onClose}>
          ×
        </button>
      </div>
      <p id={hintId} className="field-hint">
        Every change is an event in the log. Drag to see the whole app as it was after any of them; nothing is lost, and live changes keep arriving.
      </p>
      <input
        ref={slider}
        type="range"
        className="travel-slider"
        min={start}
        max={head}
        step={1}
        value={shown}
        aria-label="Position in the history"
        aria-describedby={hintId}
        aria-valuetext={`${where}. ${what}`}
        onChange={(e) => go(Number(e.target.value))}
      />
      <div className="travel-steps">
        <button type="button" className="button" aria-label="One event back" disabled={shown <= start} onClick={() => go(shown - 1)}>
          ‹
        </button>
        <output className="travel-position" aria-live="polite">
          {where}
        </output>
        <button type="button" className="button" aria-label="One event forward" disabled={travelling === null} onClick={() => go(shown + 1)}>
          ›
        </button>
      </div>
      <p className="travel-event">{what}</p>
      <button type="button" className="button button-primary full-width" disabled={travelling === null} onClick={() => go(null)}>
        Back to live
      </button>
    </section>
  )
}
