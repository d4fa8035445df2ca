import { freeze } from 'immer'
import { StorageError } from '../errors'
import { indexAfter } from '../positions'
import type { EventEnvelope } from '../event'
import { fingerprintDiffers } from '../fingerprint'
import type { AppendCommand, AppendOutcome, CompactionStorage, ConfirmedEvent, EventLogStorage, FoundCommand, OutboxStorage, Horizon, PendingCommand, SavedStreamDirectory, StorageBackend, StorageSignal, StoredCheckpoint, StreamSnapshot, StreamStorage } from './storage'

interface MemoryLog {
  readonly events: EventEnvelope[]
  readonly streams: Map<string, EventEnvelope[]>
  readonly commands: Map<string, EventEnvelope[]>
  /** Commands whose repeats are duplicates (as IndexedDB's CommandRecords): commandId -> last seq and fingerprint. */
  readonly recorded: Map<string, FoundCommand>
  readonly checkpoints: Map<string, StoredCheckpoint>
  readonly snapshots: Map<string, StreamSnapshot>
  horizon: Horizon | undefined
  directory: SavedStreamDirectory | undefined
  readonly outbox: Map<string, PendingCommand>
  syncPosition: number
}

/**
 * An in-memory event log for tests and server-side rendering. Logs live as long as the backend
 * object, so two stores opened on one backend with the same name share a log, like two tabs.
 * Values are copied on the way in, as IndexedDB would, so callers cannot change what is stored.
 *
 * @example
 * const store = createStore({ name: 'test', commands, storage: memoryStorage() })
 */
export function memoryStorage(): StorageBackend {
  const logs = new Map<string, MemoryLog>()
  return {
    kind: 'memory',
    async open(name) {
      let log = logs.get(name)
      if (!log) {
        log = { events: [], streams: new Map(), commands: new Map(), recorded: new Map(), checkpoints: new Map(), snapshots: new Map(), horizon: undefined, directory: undefined, outbox: new Map(), syncPosition: 0 }
        logs.set(name, log)
      }
      return openMemoryLog(log)
    },
  }
}

function openMemoryLog(log: MemoryLog): EventLogStorage {
  let closed = false
  const listeners = new Set<(signal: StorageSignal) => void>()
  const assertOpen = () => {
    if (closed) throw new StorageError('closed', 'The event log is closed; create a new store to keep working.')
  }

  return {
    async head() {
      assertOpen()
      return headOf(log)
    },
    async append(commands: readonly AppendCommand[]): Promise<AppendOutcome[]> {
      assertOpen()
      // Clone first: a payload that cannot be stored fails the whole batch before anything is written.
      let cloned: AppendCommand[]
      try {
        cloned = structuredClone(commands as AppendCommand[])
      } catch (cause) {
        throw new StorageError('failed', `An event payload could not be stored: ${String(cause)}`, { cause })
      }
      const versions = new Map<string, number>()
      const inBatch = new Map<string, { events: EventEnvelope[]; fingerprint: string | undefined }>()
      const currentVersion = (stream: string) => log.streams.get(stream)?.at(-1)?.version ?? log.snapshots.get(stream)?.version ?? 0
      const outcomes: AppendOutcome[] = []
      let seq = headOf(log)
      // Streams a command of this batch lost (or, a repeat, did not write): later commands on them were decided on top of it.
      const lost = new Set<string>()
      for (const command of cloned) {
        if (command.idempotent) {
          const earlier = log.recorded.get(command.commandId)
          const existing = inBatch.get(command.commandId)
          if (earlier !== undefined || existing) {
            const fingerprint = earlier ? earlier.fingerprint : existing!.fingerprint
            if (fingerprintDiffers(fingerprint, command.fingerprint)) outcomes.push({ status: 'reused' })
            else outcomes.push({ status: 'duplicate', position: earlier?.position ?? existing?.events.at(-1)?.seq ?? 0 })
            if (command.events.length > 0) lost.add(command.stream)
            continue
          }
        }
        const current = versions.get(command.stream) ?? currentVersion(command.stream)
        if (current !== command.expectedVersion || lost.has(command.stream)) {
          lost.add(command.stream)
          outcomes.push({ status: 'conflict', actualVersion: current })
          continue
        }
        const written = command.events.map((event) => freeze({ ...event, seq: ++seq }, true) as EventEnvelope)
        if (command.idempotent) inBatch.set(command.commandId, { events: written, fingerprint: command.fingerprint })
        versions.set(command.stream, written.at(-1)?.version ?? current)
        outcomes.push({ status: 'ok', events: written })
      }
      outcomes.forEach((outcome, i) => {
        if (outcome.status !== 'ok') return
        for (const event of outcome.events) {
          log.events.push(event)
          pushTo(log.streams, event.stream, event)
          pushTo(log.commands, event.meta.commandId, event)
        }
        const last = outcome.events.at(-1)
        const { idempotent, fingerprint } = cloned[i]!
        if (idempotent && last) log.recorded.set(last.meta.commandId, { position: last.seq, ...(fingerprint !== undefined ? { fingerprint } : {}) })
      })
      return outcomes
    },
    async readStream(stream, afterVersion) {
      assertOpen()
      return (log.streams.get(stream) ?? []).filter((e) => e.version > afterVersion)
    },
    async readLog(after, options = {}) {
      assertOpen()
      const to = options.to ?? Infinity
      const start = indexAfter(log.events, after)
      const result: EventEnvelope[] = []
      for (let i = start; i < log.events.length && result.length < (options.limit ?? Infinity); i++) {
        const event = log.events[i]!
        if (event.seq > to) break
        result.push(event)
      }
      return result
    },
    async readCommand(commandId) {
      assertOpen()
      return [...(log.commands.get(commandId) ?? [])]
    },
    async findCommand(commandId) {
      assertOpen()
      return log.recorded.get(commandId)
    },
    async loadCheckpoints() {
      assertOpen()
      return [...log.checkpoints.values()].map((c) => structuredClone(c))
    },
    async saveCheckpoints(checkpoints) {
      assertOpen()
      for (const c of checkpoints) log.checkpoints.set(c.name, structuredClone(c))
    },
    async deleteCheckpoint(name) {
      assertOpen()
      log.checkpoints.delete(name)
    },
    compaction: memoryCompaction(log, assertOpen),
    outbox: memoryOutbox(log, assertOpen),
    streams: memoryStreams(log, assertOpen),
    onSignal(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {
      closed = true
      listeners.clear()
    },
  }
}

/** The log's head. Compaction may remove every event: positions still count on from the horizon. */
const headOf = (log: MemoryLog) => log.events.at(-1)?.seq ?? log.horizon?.position ?? 0

/** Compaction of a memory log: the horizon keeps the read-model states itself. */
function memoryCompaction(log: MemoryLog, assertOpen: () => void): CompactionStorage {
  return {
    async compact(horizon, streams) {
      assertOpen()
      const copy = structuredClone({ horizon, streams })
      const keep = (e: EventEnvelope) => e.seq > horizon.position
      log.events.splice(0, indexAfter(log.events, horizon.position))
      for (const [key, list] of log.streams) {
        const kept = list.filter(keep)
        if (kept.length) log.streams.set(key, kept)
        else log.streams.delete(key)
      }
      for (const [key, list] of log.commands) {
        const kept = list.filter(keep)
        if (kept.length) log.commands.set(key, kept)
        else log.commands.delete(key)
      }
      for (const [key, found] of log.recorded) if (found.position <= horizon.position) log.recorded.delete(key)
      for (const snapshot of copy.streams) log.snapshots.set(snapshot.stream, snapshot)
      for (const [name, checkpoint] of log.checkpoints) if (checkpoint.position < horizon.position) log.checkpoints.delete(name)
      log.horizon = copy.horizon
    },
    async loadHorizon() {
      assertOpen()
      return log.horizon && structuredClone(log.horizon)
    },
    async loadHorizonStates(position) {
      assertOpen()
      return log.horizon?.position === position ? structuredClone(log.horizon.states) : undefined
    },
    async loadStreamSnapshot(stream) {
      assertOpen()
      return copyOf(log.snapshots.get(stream))
    },
  }
}

/** The write model's side of a memory log. */
function memoryStreams(log: MemoryLog, assertOpen: () => void): StreamStorage {
  return {
    async readStreams(streams) {
      assertOpen()
      return new Map(streams.map((stream) => [stream, { snapshot: copyOf(log.snapshots.get(stream)), events: [...(log.streams.get(stream) ?? [])] }]))
    },
    async loadDirectory() {
      assertOpen()
      return copyOf(log.directory)
    },
    async compactedStreams() {
      assertOpen()
      return [...log.snapshots.keys()]
    },
    async saveDirectory(directory) {
      assertOpen()
      if ((log.directory?.position ?? -1) < directory.position) log.directory = structuredClone(directory)
    },
  }
}

/** The sync outbox of a memory log. */
function memoryOutbox(log: MemoryLog, assertOpen: () => void): OutboxStorage {
  return {
    async putPending(commands) {
      assertOpen()
      let order = Math.max(0, ...[...log.outbox.values()].map((c) => c.order))
      const stored = structuredClone(commands as Omit<PendingCommand, 'order'>[]).map((c) => ({ ...c, order: ++order }))
      for (const command of stored) if (!log.outbox.has(command.commandId)) log.outbox.set(command.commandId, command)
      return stored
    },
    async readPending() {
      assertOpen()
      return [...log.outbox.values()].sort((a, b) => a.order - b.order).map((c) => structuredClone(c))
    },
    async receive(receipt) {
      assertOpen()
      const fresh = structuredClone(receipt.events.filter((e) => e.position > log.syncPosition) as ConfirmedEvent[])
      let seq = headOf(log)
      const written = fresh.map(({ position: _position, ...event }) => freeze({ ...event, seq: ++seq }, true) as EventEnvelope)
      for (const event of written) {
        log.events.push(event)
        pushTo(log.streams, event.stream, event)
        pushTo(log.commands, event.meta.commandId, event)
        // Whether a confirmed command had an explicit id is not known here: each one is recorded.
        log.recorded.set(event.meta.commandId, { position: event.seq })
      }
      for (const commandId of receipt.settled) log.outbox.delete(commandId)
      log.syncPosition = Math.max(log.syncPosition, receipt.position)
      return written
    },
    async syncPosition() {
      assertOpen()
      return log.syncPosition
    },
  }
}

/** A private copy of a stored value (as IndexedDB hands out), or undefined. */
const copyOf = <T,>(value: T | undefined): T | undefined => (value === undefined ? undefined : structuredClone(value))

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
