import { useSyncExternalStore } from 'react'
import { isPersonId, people, type PersonId } from '../domain'

// Who is using the demo. There is no login: the person menu in the header picks a team member, and
// the store issues every command as that person (its principal).

const storageKey = 'chronicle-demo:user'
const listeners = new Set<() => void>()

function load(): PersonId {
  try {
    const saved = localStorage.getItem(storageKey)
    if (isPersonId(saved)) return saved
  } catch {
    // Storage may be unavailable (privacy modes); the default person will do.
  }
  return people[0].id
}

let current: PersonId = load()

/** The person the demo acts as. */
export function currentUser(): PersonId {
  return current
}

/** Switches the person the demo acts as, and remembers it for the next visit. */
export function setCurrentUser(id: PersonId): void {
  current = id
  try {
    localStorage.setItem(storageKey, id)
  } catch {
    // Not remembered, still switched.
  }
  for (const listener of listeners) listener()
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** The person the demo acts as, re-rendering when it changes. */
export function useCurrentUser(): PersonId {
  return useSyncExternalStore(subscribe, currentUser, currentUser)
}
