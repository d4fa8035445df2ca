import { people, personName } from '../domain'

const hues = [262, 200, 20, 150, 330, 45]

/** Initials on a colour that is stable per person. */
export function Avatar({ personId, size = 'medium' }: { personId: string; size?: 'small' | 'medium' }) {
  const name = personName(personId)
  const index = people.findIndex((p) => p.id === personId)
  const hue = hues[(index < 0 ? personId.length : index) % hues.length]!
  const initials = name
    .split(/\s+/)
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase()
  return (
    <span className={`avatar avatar-${size}`} style={{ backgroundColor: `hsl(${hue} 70% 42%)` }} title={name} aria-hidden="true">
      {initials}
    </span>
  )
}
