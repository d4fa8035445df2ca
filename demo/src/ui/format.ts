import { useEffect, useState } from 'react'

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' })

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
]

/** "3 hours ago", "yesterday", "just now". */
export function formatRelative(at: number, now: number): string {
  const elapsed = at - now
  for (const [unit, ms] of units) {
    if (Math.abs(elapsed) >= ms) return relative.format(Math.round(elapsed / ms), unit)
  }
  return 'just now'
}

/** "Mar 20, 2026, 12:00 PM". */
export function formatDateTime(at: number): string {
  return absolute.format(at)
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
