import { isPersonId, people, type PersonId } from '../domain'

// The demo has no login: the person menu in the header picks a team member, and the app talks to
// the sync server with that person's token. The tokens are not secrets; they only tell the server
// whom to run a command as, the way a real app's session token would.

const prefix = 'demo-token-'

/** The bearer token the app sends when it acts as `person`. */
export function demoToken(person: PersonId): string {
  return `${prefix}${person}`
}

/** The team member a demo token stands for, or undefined for any other string. */
export function personOfToken(token: string): PersonId | undefined {
  const id = token.startsWith(prefix) ? token.slice(prefix.length) : undefined
  return isPersonId(id) ? id : undefined
}

/** Every demo token, by person (for the README and the server's startup message). */
export function demoTokens(): Record<PersonId, string> {
  return Object.fromEntries(people.map((p) => [p.id, demoToken(p.id)])) as Record<PersonId, string>
}
