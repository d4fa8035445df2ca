import type { CommandInput } from './command'
import type { Receipt } from './dispatcher'
import { ChronicleError, HandlerError, isChronicleError } from './errors'
import type { EventEnvelope } from './event'
import type { AnyProjectionDefinition, ProjectionState } from './projection'

/** What a reaction handler can use besides the event. */
export interface ReactionContext {
  /**
   * Runs `fn` once for a live event, after the reaction's commands committed (and not at all when
   * another tab or an earlier run already executed them). Use it for side effects that must not
   * repeat, such as notifications.
   */
  effect(fn: () => void | Promise<void>): void
  /** The current state of a read model. */
  read<P extends AnyProjectionDefinition>(projection: P): ProjectionState<P>
}

type Handler = (event: EventEnvelope, context: ReactionContext) => unknown

/** What the runner reads of a reaction definition (`defineReaction` makes them). */
export interface RunnableReaction {
  readonly name: string
  readonly on: object
}

/** Runs reactions on live events and dispatches their follow-up commands idempotently. */
export interface Reactions {
  handle(events: readonly EventEnvelope[]): void
}

/** Runs `definitions` on live events; `host` dispatches their commands, reads read models and hears of failures. */
export function createReactions(
  definitions: readonly RunnableReaction[],
  host: {
    dispatch(command: CommandInput): Promise<Receipt>
    read(projection: AnyProjectionDefinition): unknown
    report(error: ChronicleError): void
  },
): Reactions {
  const byType = new Map<string, { name: string; handler: Handler }[]>()
  for (const definition of definitions) {
    for (const [type, handler] of Object.entries(definition.on as Record<string, Handler | undefined>)) {
      if (!handler) continue
      const list = byType.get(type) ?? []
      list.push({ name: definition.name, handler })
      byType.set(type, list)
    }
  }

  const run = async (name: string, handler: Handler, event: EventEnvelope) => {
    const effects: (() => void | Promise<void>)[] = []
    const context: ReactionContext = {
      effect: (fn) => void effects.push(fn),
      read: (projection) => host.read(projection) as never,
    }
    const result = handler(event, context)
    const commands = (result === undefined ? [] : Array.isArray(result) ? result : [result]) as CommandInput[]
    let fresh = commands.length === 0
    for (const [index, command] of commands.entries()) {
      // The id is a pure function of (reaction, trigger, index): every run agrees on it.
      const commandId = `${name}:${event.id}${commands.length > 1 ? `:${index}` : ''}`
      const receipt = await host
        .dispatch({
          ...command,
          options: { ...command.options, commandId, causationId: event.id, correlationId: event.meta.correlationId },
        })
        .catch((error: unknown) => {
          // Another run (a second tab) got there first with a payload read from other state: its
          // command is the one that ran, and this run is the repeat it would have been before.
          if (isChronicleError(error, 'ValidationError') && error.code === 'idempotency-key-reused') return undefined
          throw error
        })
      if (receipt && !receipt.duplicate) fresh = true
    }
    if (fresh) for (const effect of effects) await effect()
  }

  return {
    handle(events) {
      if (byType.size === 0) return
      for (const event of events) {
        for (const { name, handler } of byType.get(event.type) ?? []) {
          run(name, handler, event).catch((error: unknown) => {
            host.report(
              error instanceof ChronicleError
                ? error
                : new HandlerError('reaction-failed', `Reaction ${name} failed on event ${event.seq} (${event.type}): ${String(error)}`, { cause: error }),
            )
          })
        }
      }
    },
  }
}
