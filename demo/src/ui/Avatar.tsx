import { people, personName } from '../domain'

// Dark enough for white initials to pass WCAG AA contrast (at least 4.5:1).
const colours = ['#6d28d9', '#0369a1', '#c2410c', '#047857', '#be185d', '#4d7c0f']

/** Initials on a colour that is stable per person. */
export function Avatar({ personId, size = 'medium' }: { personId: string; size?: 'small' | 'medium' }) {
  const name = personName(personId)
  const index = people.findIndex((p) => p.id === personId)
  const colour = colours[(index < 0 ? personId.length : index) % colours.length]!
  const initials = name
    .split(/\s+/)
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase()
  return (
    <span className={`avatar avatar-${size}`} style={{ backgroundColor: colour }} title={name} aria-hidden="true">
      {initials}
    </span>
  )
}
