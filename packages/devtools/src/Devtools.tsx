import { useState, type KeyboardEvent, type PointerEvent } from 'react'
import type { Store } from '@chronicle/core'
import { Panel } from './Panel'
import type { EventStatusFunction } from './status'
import { styles } from './styles'

/** Props of the panel module, which `ChronicleDevtools` loads lazily. */
export interface DevtoolsProps {
  readonly store: Store
  readonly status: EventStatusFunction
  readonly initialIsOpen: boolean
  readonly position: 'bottom-right' | 'bottom-left'
  /** Set when the app opens and closes the drawer itself (no floating button then). */
  readonly open?: boolean
  readonly onOpenChange?: (open: boolean) => void
}

const minHeight = 160

const viewportHeight = () => (typeof window === 'undefined' ? 800 : window.innerHeight || 800)
const clamp = (height: number) => Math.round(Math.min(Math.max(minHeight, height), viewportHeight() - 40))

/** The drawer's top edge: drag it (or use the arrow keys on it) to resize the drawer. */
function ResizeHandle({ height, onResize }: { readonly height: number; readonly onResize: (height: number) => void }) {
  const [drag, setDrag] = useState<{ readonly startY: number; readonly startHeight: number } | null>(null)
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    event.currentTarget.setPointerCapture?.(event.pointerId)
    setDrag({ startY: event.clientY, startHeight: height })
  }
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (drag) onResize(clamp(drag.startHeight + drag.startY - event.clientY))
  }
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'ArrowUp') onResize(clamp(height + 24))
    else if (event.key === 'ArrowDown') onResize(clamp(height - 24))
    else return
    event.preventDefault()
  }
  return (
    <div
      className="chr-dt-resize"
      role="separator"
      aria-orientation="horizontal"
      aria-label="Resize Chronicle devtools"
      aria-valuenow={height}
      aria-valuemin={minHeight}
      aria-valuemax={viewportHeight() - 40}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={() => setDrag(null)}
      onPointerCancel={() => setDrag(null)}
      onKeyDown={onKeyDown}
    />
  )
}

/** The floating button and the resizable drawer with the panel. */
export default function Devtools({ store, status, initialIsOpen, position, open: controlled, onOpenChange }: DevtoolsProps) {
  const [uncontrolled, setUncontrolled] = useState(initialIsOpen)
  const open = controlled ?? uncontrolled
  const setOpen = (next: boolean) => {
    if (controlled === undefined) setUncontrolled(next)
    onOpenChange?.(next)
  }
  const [height, setHeight] = useState(() => clamp(viewportHeight() * 0.45))
  return (
    <div className="chr-dt">
      <style>{styles}</style>
      {open ? (
        <section className="chr-dt-drawer" aria-label="Chronicle devtools" style={{ height }}>
          <ResizeHandle height={height} onResize={setHeight} />
          <Panel store={store} status={status} onClose={() => setOpen(false)} />
        </section>
      ) : controlled === undefined ? (
        <button type="button" className={`chr-dt-toggle chr-dt-${position}`} aria-label="Open Chronicle devtools" onClick={() => setOpen(true)}>
          <span aria-hidden="true">◷</span> Chronicle
        </button>
      ) : null}
    </div>
  )
}
