import { useMemo } from 'react'
import type { PendingCommandInfo } from '@chronicle/core'
import { useStore } from '@chronicle/react'
import { useObserved, type Subscribable } from '../history/useObserved'

const none: readonly PendingCommandInfo[] = []
const silent: Subscribable<readonly PendingCommandInfo[]> = { subscribe: () => ({ unsubscribe: () => undefined }) }

const cardOf = (command: PendingCommandInfo | undefined): string | undefined => {
  const payload = command?.payload
  const cardId = typeof payload === 'object' && payload !== null ? (payload as { cardId?: unknown }).cardId : undefined
  return typeof cardId === 'string' ? cardId : undefined
}

/**
 * The cards that changes waiting for the server touch (from the store's outbox): the board marks
 * them as pending. An undo waiting in the outbox counts for the card of the command it takes back,
 * when that command is pending too.
 */
export function usePendingCards(): ReadonlySet<string> {
  const store = useStore()
  const sync = store.sync
  const pending = useObserved(sync?.pendingCommands$ ?? silent, () => sync?.pendingCommands ?? none)
  return useMemo(() => {
    const byId = new Map(pending.map((command) => [command.commandId, command]))
    const cards = new Set<string>()
    for (const command of pending) {
      const cardId = cardOf(command.history ? byId.get(command.history.target) : command)
      if (cardId) cards.add(cardId)
    }
    return cards
  }, [pending])
}
