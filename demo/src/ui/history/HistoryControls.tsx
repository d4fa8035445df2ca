import { useEffect, useId, useRef, useState } from 'react'
import { useNotices } from '../notices'
import { HistoryIcon, RedoIcon, UndoIcon } from './icons'
import { historyShortcut } from './shortcuts'
import { TimeTravelPanel } from './TimeTravelPanel'
import { useIsTravelling } from './useTravel'
import { useUndoRedo } from './useUndoRedo'

const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)
const undoKeys = mac ? '⌘Z' : 'Ctrl+Z'
const redoKeys = mac ? '⇧⌘Z' : 'Ctrl+Y'

/**
 * The header's history controls: undo and redo of this tab's changes (buttons, and Ctrl/Cmd+Z,
 * Ctrl/Cmd+Shift+Z, Ctrl+Y anywhere but in a text field), and the time-travel panel.
 */
export function HistoryControls() {
  const { canUndo, canRedo, run } = useUndoRedo()
  const travelling = useIsTravelling()
  const notices = useNotices()
  const [open, setOpen] = useState(false)
  const panelId = useId()
  const toggle = useRef<HTMLButtonElement>(null)
  const container = useRef<HTMLDivElement>(null)

  // The panel is a popover: a click anywhere else closes it (the travel itself stays).
  useEffect(() => {
    if (!open) return
    const onPointerDown = (event: PointerEvent) => {
      if (event.target instanceof Node && !container.current?.contains(event.target)) setOpen(false)
    }
    addEventListener('pointerdown', onPointerDown)
    return () => removeEventListener('pointerdown', onPointerDown)
  }, [open])

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const kind = historyShortcut(event)
      if (!kind || event.defaultPrevented) return
      event.preventDefault()
      if (kind === 'undo' ? !canUndo : !canRedo) notices.announce(kind === 'undo' ? 'Nothing to undo.' : 'Nothing to redo.')
      else void run(kind)
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [canUndo, canRedo, run, notices])

  return (
    <div ref={container} className="history-controls">
      <div className="button-group" role="group" aria-label="Undo and redo">
        <button
          type="button"
          className="header-button"
          aria-label="Undo"
          title={`Undo your last change (${undoKeys})`}
          aria-keyshortcuts="Control+Z Meta+Z"
          disabled={!canUndo || travelling}
          onClick={() => void run('undo')}
        >
          <UndoIcon />
        </button>
        <button
          type="button"
          className="header-button"
          aria-label="Redo"
          title={`Redo (${redoKeys})`}
          aria-keyshortcuts="Control+Shift+Z Meta+Shift+Z Control+Y"
          disabled={!canRedo || travelling}
          onClick={() => void run('redo')}
        >
          <RedoIcon />
        </button>
      </div>
      <button
        ref={toggle}
        type="button"
        className={`header-button header-button-text ${travelling ? 'is-active' : ''}`}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((shown) => !shown)}
      >
        <HistoryIcon />
        Time travel
      </button>
      {open && (
        <TimeTravelPanel
          id={panelId}
          onClose={() => {
            setOpen(false)
            toggle.current?.focus()
          }}
        />
      )}
    </div>
  )
}
