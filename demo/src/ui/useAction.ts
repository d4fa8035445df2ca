import { useCallback } from 'react'
import type { AnyAggregateDefinition, CommandDefinition, Receipt } from '@chronicle/core'
import { useCommand } from '@chronicle/react'
import { useNotices } from './notices'

/** What `useAction` returns. */
export interface Action<Input> {
  /** Dispatches; a refusal shows as a notice. Resolves with the receipt, or undefined when refused. */
  run(payload: Input): Promise<Receipt | undefined>
  readonly pending: boolean
}

/** A command as a UI action: `useCommand` plus a notice that says why a command was refused. */
export function useAction<Input>(command: CommandDefinition<string, Input, unknown, AnyAggregateDefinition>): Action<Input> {
  const { dispatchAsync, status } = useCommand(command)
  const notices = useNotices()
  const run = useCallback(
    async (payload: Input) => {
      try {
        return await dispatchAsync(payload)
      } catch (error) {
        notices.error(error)
        return undefined
      }
    },
    [dispatchAsync, notices],
  )
  return { run, pending: status === 'pending' }
}
