import type { EventEnvelope } from './event'

/** Reads log events with `seq > after` (and `<= to`), in order, at most `limit`. */
export type ReadLog = (after: number, options: { readonly to?: number; readonly limit: number }) => Promise<EventEnvelope[]>

/**
 * Reads the log after `after` (up to `to`, when given) in pages that each end at a command
 * boundary, so that whoever applies a page and tells subscribers never shows half of a command.
 *
 * One transaction writes all events of a command, so they are contiguous in the log and share
 * `meta.commandId`. A full page may end inside a command: its trailing run of events with the last
 * event's commandId is held back and read again at the start of the next page. A command longer
 * than a page is read on until it ends.
 */
export async function* readCommandPages(readLog: ReadLog, after: number, options: { readonly to?: number; readonly pageSize: number }): AsyncIterable<EventEnvelope[]> {
  const { to, pageSize } = options
  const read = (from: number) => readLog(from, to === undefined ? { limit: pageSize } : { to, limit: pageSize })
  for (;;) {
    let page = await read(after)
    if (page.length === 0) return
    // A page shorter than asked for reached the end of the log (or `to`): it ends with a whole command.
    let full = page.length === pageSize
    while (full && sameCommand(page[0]!, page.at(-1)!)) {
      // The whole page is one command (or the start of one): read on until it ends.
      const more = await read(page.at(-1)!.seq)
      page = page.concat(more)
      full = more.length === pageSize
    }
    if (!full) {
      yield page
      return
    }
    // The last command may go on in the next page: hold it back and read it again from its start.
    const last = page.at(-1)!
    let cut = page.length - 1
    while (sameCommand(page[cut - 1]!, last)) cut--
    yield page.slice(0, cut)
    after = page[cut - 1]!.seq
  }
}

function sameCommand(a: EventEnvelope, b: EventEnvelope): boolean {
  return a.meta.commandId === b.meta.commandId
}
