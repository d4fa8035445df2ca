import type { PendingCommandInfo, Store } from '@chronicle/core'
import { useStoreValue, type Subscribable } from './hooks'
import type { LogFilter } from './logIndex'
import { rowHeight, short, time } from './rowFormat'

/** Pending rows shown at most (the newest); an outbox can hold thousands while offline. */
const shownAtMost = 200

const none: readonly PendingCommandInfo[] = []
const silent: Subscribable<unknown> = { subscribe: () => ({ unsubscribe: () => undefined }) }

export interface PendingCommandsProps {
  readonly store: Store
  readonly filter: LogFilter
}

interface PendingRow {
  readonly key: string
  readonly command: PendingCommandInfo
  readonly type: string
  readonly stream: string
  readonly first: boolean
}

/**
 * The commands this device dispatched that the server has not confirmed yet, with their
 * provisional events, under the timeline: they are not in the log until the server confirms them
 * (a rejected one disappears and the app's rejection notice says why). Nothing shows without sync.
 */
export function PendingCommands({ store, filter }: PendingCommandsProps) {
  const sync = store.sync
  const pending = useStoreValue(sync?.pendingCommands$ ?? silent, () => sync?.pendingCommands ?? none)
  if (pending.length === 0) return null
  const rows: PendingRow[] = []
  for (const command of pending) {
    // A command that wrote nothing (or an undo waiting to be decided) still shows, as one row.
    const events = command.events.length > 0 ? command.events : [{ type: command.type, stream: command.stream }]
    events.forEach((event, i) => {
      if (filter.type && event.type !== filter.type) return
      if (filter.stream && !event.stream.includes(filter.stream)) return
      rows.push({ key: `${command.commandId}/${i}`, command, type: event.type, stream: event.stream, first: i === 0 })
    })
  }
  const shown = rows.slice(-shownAtMost)
  return (
    <section className="chr-dt-pending-list" aria-label="Waiting for the server">
      <div className="chr-dt-pending-title">
        {`Waiting for the server: ${pending.length} command${pending.length === 1 ? '' : 's'}`}
        {shown.length < rows.length ? ` (newest ${shown.length} of ${rows.length} events shown)` : ''}
      </div>
      <div className="chr-dt-pending-rows" style={{ maxHeight: rowHeight * 6 }}>
        {shown.map((row) => (
          <div key={row.key} className={`chr-dt-row chr-dt-pending${row.first ? ' chr-dt-command-start' : ''}`} style={{ height: rowHeight }} data-command={row.command.commandId}>
            <span>—</span>
            <span>{time(row.command.at)}</span>
            <span>{row.command.history ? `${row.type} (${row.command.history.kind})` : row.type}</span>
            <span>{row.stream}</span>
            <span title={row.command.commandId}>{short(row.command.commandId)}</span>
            <span>this device</span>
            <span className="chr-dt-status">pending</span>
          </div>
        ))}
      </div>
    </section>
  )
}
