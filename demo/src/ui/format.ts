import { useEffect, useState } from 'react'

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' })

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
]

/**
 * True when `at` is a time a Date can show. Events are checked before they are stored, but a
 * view must not fail for every reader because one old or hostile event holds `1e308`: formatting
 * such a value throws a RangeError (`toISOString`, `Intl.DateTimeFormat`).
 */
export function isShowableTime(at: unknown): at is number {
  return typeof at === 'number' && Number.isFinite(at) && Math.abs(at) <= 8.64e15
}

/** What a view shows for a time it cannot show. */
export const unknownTime = 'unknown time'

/** The machine-readable form for `<time dateTime>`, or undefined when `at` is not a time. */
export function isoTime(at: number): string | undefined {
  return isShowableTime(at) ? new Date(at).toISOString() : undefined
}

/** "3 hours ago", "yesterday", "just now" ("unknown time" for a value that is not a time). */
export function formatRelative(at: number, now: number): string {
  if (!isShowableTime(at)) return unknownTime
  const elapsed = at - now
  for (const [unit, ms] of units) {
    if (Math.abs(elapsed) >= ms) return relative.format(Math.round(elapsed / ms), unit)
  }
  return 'just now'
}

/** "Mar 20, 2026, 12:00 PM" ("unknown time" for a value that is not a time). */
export function formatDateTime(at: number): string {
  return isShowableTime(at) ? absolute.format(at) : unknownTime
}

/** A duration for people: "45 min", "5 h", "1.5 days". */
export function formatDuration(ms: number): string {
  const hours = ms / 3_600_000
  if (hours < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`
  if (hours < 24) return `${Math.round(hours)} h`
  const days = hours / 24
  return `${days < 10 ? Math.round(days * 10) / 10 : Math.round(days)} ${days === 1 ? 'day' : 'days'}`
}

/** The current time, refreshed every `interval` ms, for relative times that stay true. */
export function useNow(interval = 30_000): number {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), interval)
    return () => clearInterval(timer)
  }, [interval])
  return now
}
