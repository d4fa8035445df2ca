import { useEffect, useId, useRef, type ReactNode } from 'react'
import { NoticeRegion } from './notices'

/** Props of `Modal`. */
export interface ModalProps {
  readonly title: ReactNode
  /** Called when the dialog closes (Escape, the close button, or the caller's own buttons). */
  readonly onClose: () => void
  readonly children: ReactNode
  readonly size?: 'small' | 'large'
  /** Where focus goes when the dialog closes, if the element that opened it is gone. */
  readonly returnFocus?: () => HTMLElement | null
}

/**
 * A modal dialog on the native `<dialog>` element: focus moves in and is trapped there, Escape
 * closes it, and focus returns to where it was.
 */
export function Modal({ title, onClose, children, size = 'large', returnFocus }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const onCloseRef = useRef(onClose)
  onCloseRef.current = onClose
  const returnFocusRef = useRef(returnFocus)
  returnFocusRef.current = returnFocus

  useEffect(() => {
    const dialog = ref.current!
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    if (!dialog.open) dialog.showModal()
    const onCloseEvent = () => onCloseRef.current()
    dialog.addEventListener('close', onCloseEvent)
    return () => {
      dialog.removeEventListener('close', onCloseEvent)
      if (dialog.open) dialog.close()
      const target = opener?.isConnected ? opener : returnFocusRef.current?.()
      // After React has removed the dialog: focus the opener, or its replacement.
      requestAnimationFrame(() => (target?.isConnected ? target : returnFocusRef.current?.())?.focus())
    }
  }, [])

  return (
    <dialog ref={ref} className={`modal modal-${size}`} aria-labelledby={titleId}>
      <header className="modal-header">
        <h2 id={titleId} className="modal-title">
          {title}
        </h2>
        <button type="button" className="icon-button" aria-label="Close dialog" onClick={() => onCloseRef.current()}>
          ×
        </button>
      </header>
      <div className="modal-body">{children}</div>
      <NoticeRegion />
    </dialog>
  )
}
