import { useCallback, useEffect, useRef, useState, type RefObject } from 'react'

/** What `usePopover` returns. */
export interface Popover {
  readonly open: boolean
  setOpen(open: boolean): void
  toggle(): void
  /** Put on the element that holds both the button and the popover: a click outside it closes. */
  readonly container: RefObject<HTMLDivElement | null>
}

/** A non-modal popover below a header button: the button toggles it, a click anywhere else closes it. */
export function usePopover(): Popover {
  const [open, setOpen] = useState(false)
  const container = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!open) return
    const onPointerDown = (event: PointerEvent) => {
      if (event.target instanceof Node && !container.current?.contains(event.target)) setOpen(false)
    }
    addEventListener('pointerdown', onPointerDown)
    return () => removeEventListener('pointerdown', onPointerDown)
  }, [open])
  const toggle = useCallback(() => setOpen((shown) => !shown), [])
  return { open, setOpen, toggle, container }
}
