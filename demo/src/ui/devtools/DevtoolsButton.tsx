import { lazy, Suspense, useCallback, useRef, useState } from 'react'

// The devtools are a package of their own, loaded only when someone asks for them: the app's own
// bundle carries just this button. (A real app would also render them in development only.)
const ChronicleDevtools = lazy(() => import('@chronicle/devtools').then((module) => ({ default: module.ChronicleDevtools })))

/** The header's Devtools button: opens the Chronicle devtools drawer (timeline, read models, time travel). */
export function DevtoolsButton() {
  const [open, setOpen] = useState(false)
  const [wanted, setWanted] = useState(false)
  const button = useRef<HTMLButtonElement>(null)
  const onOpenChange = useCallback((next: boolean) => {
    setOpen(next)
    if (!next) button.current?.focus()
  }, [])
  return (
    <>
      <button
        ref={button}
        type="button"
        className="header-button header-button-text"
        aria-pressed={open}
        onClick={() => {
          setWanted(true)
          setOpen((shown) => !shown)
        }}
      >
        <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
          <path d="M7 6l-4 4 4 4M13 6l4 4-4 4M11 4.5l-2 11" />
        </svg>
        Devtools
      </button>
      {wanted && (
        <Suspense fallback={null}>
          <ChronicleDevtools open={open} onOpenChange={onOpenChange} />
        </Suspense>
      )}
    </>
  )
}
