// An in-process sync server for core tests: a real core store plays the server (same domain,
// same dispatch pipeline), and `round()` runs one push + pull exchange on demand, so tests
// decide when a client is "online". The network version lives in @chronicle/sync.
import { BehaviorSubject } from 'rxjs'
import { createStore, isChronicleError, memoryStorage, type AnyCommandDefinition, type ChronicleError, type Store, type SyncConnector } from '../index'
import { type ConfirmedEvent, type SyncHost, syncOutbox } from '../sync/index'

export function loopbackServer(commands: readonly AnyCommandDefinition[]) {
  const server: Store = createStore({ name: 'server', commands, storage: memoryStorage(), origin: 'server' })
  const byType = new Map(commands.map((c) => [c.type, c]))

  async function execute(host: SyncHost) {
    const settled: string[] = []
    const rejected: { commandId: string; error: ReturnType<ChronicleError['toJSON']> }[] = []
    for (const pending of await host.pending()) {
      const definition = byType.get(pending.type)!
      try {
        if (pending.history) await server.undoCommand(pending.history.target, { kind: pending.history.kind, commandId: pending.commandId, at: pending.at })
        else await server.dispatch(definition(pending.payload as never, { commandId: pending.commandId, at: pending.at, causationId: pending.causationId, correlationId: pending.correlationId }))
        settled.push(pending.commandId)
      } catch (error) {
        if (!isChronicleError(error)) throw error
        rejected.push({ commandId: pending.commandId, error: error.toJSON() })
      }
    }
    const after = await host.position()
    const events: ConfirmedEvent[] = (await server.log({ after })).map(({ seq, ...event }) => ({ ...event, position: seq }))
    await host.receive({ events, settled, rejected, position: server.position })
  }

  /** A client connector; `round()` syncs it once. */
  function client(): SyncConnector & { round(): Promise<void> } {
    let host: SyncHost | undefined
    return {
      outbox: syncOutbox,
      connect(h) {
        host = h
        return { status$: new BehaviorSubject({ online: true, pushing: false, pulling: false, lastError: undefined }), stop: () => (host = undefined) }
      },
      async round() {
        if (!host) throw new Error('not connected')
        await execute(host)
      },
    }
  }
  return { server, client }
}
