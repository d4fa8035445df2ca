import { createContext, useCallback, useContext, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react'
import { isChronicleError } from '@chronicle/core'

/** A message for the user: errors stay until dismissed (or a while), confirmations go quickly. */
export interface Notice {
  readonly id: number
  readonly tone: 'error' | 'success'
  readonly title: string
  readonly message: string
}

interface NoticeApi {
  /**
   * Shows why something failed; Chronicle errors get a title that says what kind of failure it was.
   * `wording` replaces the title or the message where the caller can say it better.
   */
  error(error: unknown, wording?: { readonly title?: string; readonly message?: string }): void
  success(title: string, message?: string): void
  /** Says something to screen readers only (a polite live region). */
  announce(message: string): void
}

interface NoticeHosts {
  readonly notices: readonly Notice[]
  readonly dismiss: (id: number) => void
  /** The host that shows notices now: the innermost open dialog, else the page. */
  readonly activeHost: string | undefined
  readonly register: (host: string) => () => void
}

const NoticeContext = createContext<NoticeApi | null>(null)
const HostContext = createContext<NoticeHosts | null>(null)

/** What a failure is called in a notice's title. */
function titleOf(error: unknown): string {
  if (isChronicleError(error, 'RuleViolation')) return 'Not allowed'
  if (isChronicleError(error, 'ValidationError')) return 'Check your input'
  if (isChronicleError(error, 'Unauthorized')) return 'Not permitted'
  if (isChronicleError(error, 'StorageError')) return 'Storage problem'
  if (isChronicleError(error, 'UndoConflict')) return 'Cannot undo that'
  if (isChronicleError(error, 'TimeTravelActive')) return 'Read-only while you look at the past'
  return 'Something went wrong'
}

function messageOf(error: unknown): string {
  if (isChronicleError(error, 'ValidationError') && error.issues.length > 0) return error.issues.map((issue) => issue.message).join(' ')
  if (isChronicleError(error, 'TimeTravelActive')) return 'The board shows an earlier point of its history. Go back to live to make changes.'
  return error instanceof Error ? error.message : String(error)
}

/** Provides notices (toasts with role="alert" for failures) and a screen-reader announcer. */
export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<readonly Notice[]>([])
  const [hosts, setHosts] = useState<readonly string[]>([])
  const [announcement, setAnnouncement] = useState('')
  const nextId = useRef(1)

  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), [])
  const push = useCallback((notice: Omit<Notice, 'id'>) => {
    const id = nextId.current++
    // One notice per message: the same refusal twice in a row shows once, freshly.
    setNotices((list) => [...list.filter((n) => n.message !== notice.message || n.title !== notice.title), { ...notice, id }].slice(-4))
  }, [])
  const api = useMemo<NoticeApi>(
    () => ({
      error: (error, wording = {}) => push({ tone: 'error', title: wording.title ?? titleOf(error), message: wording.message ?? messageOf(error) }),
      success: (title, message = '') => push({ tone: 'success', title, message }),
      announce: (message) => setAnnouncement((previous) => (previous === message ? `${message}\u00a0` : message)),
    }),
    [push],
  )
  const register = useCallback((host: string) => {
    setHosts((list) => [...list, host])
    return () => setHosts((list) => list.filter((h) => h !== host))
  }, [])
  const hostApi = useMemo<NoticeHosts>(() => ({ notices, dismiss, activeHost: hosts.at(-1), register }), [notices, dismiss, hosts, register])

  return (
    <NoticeContext.Provider value={api}>
      <HostContext.Provider value={hostApi}>
        {children}
        <div className="visually-hidden" role="status" aria-live="polite">
          {announcement}
        </div>
      </HostContext.Provider>
    </NoticeContext.Provider>
  )
}

/** Shows notices and announcements. */
export function useNotices(): NoticeApi {
  const api = useContext(NoticeContext)
  if (!api) throw new Error('useNotices needs a <NoticeProvider> above it')
  return api
}

function NoticeItem({ notice, onDismiss }: { notice: Notice; onDismiss: (id: number) => void }) {
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(notice.id), notice.tone === 'error' ? 12_000 : 4_000)
    return () => clearTimeout(timer)
  }, [notice, onDismiss])
  return (
    <div className={`notice notice-${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
      <div className="notice-body">
        <p className="notice-title">{notice.title}</p>
        {notice.message && <p className="notice-message">{notice.message}</p>}
      </div>
      <button type="button" className="icon-button" aria-label="Dismiss notice" onClick={() => onDismiss(notice.id)}>
        ×
      </button>
    </div>
  )
}

/**
 * Where notices appear. The page has one, and so does every modal dialog (a modal makes the rest of
 * the page inert); only the innermost shows them.
 */
export function NoticeRegion() {
  const hosts = useContext(HostContext)
  if (!hosts) throw new Error('NoticeRegion needs a <NoticeProvider> above it')
  const host = useId()
  const { register } = hosts
  useEffect(() => register(host), [register, host])
  if (hosts.activeHost !== host) return null
  return (
    <div className="notices">
      {hosts.notices.map((notice) => (
        <NoticeItem key={notice.id} notice={notice} onDismiss={hosts.dismiss} />
      ))}
    </div>
  )
}
