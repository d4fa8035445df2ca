import { Client, type PoolConfig } from 'pg'

/**
 * Keeps one connection LISTENing on `channel` and reports heads of `log`. When the connection
 * drops it reconnects (with backoff) and reports the current head, since NOTIFYs sent meanwhile
 * are lost.
 */
export function listen(config: PoolConfig, channel: string, log: string, emit: (head: number) => void, currentHead: () => Promise<number>) {
  let stopped = false
  let client: Client | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let failures = 0
  const connect = async () => {
    timer = undefined
    if (stopped) return
    const next = new Client(config)
    client = next
    next.on('error', () => undefined)
    next.on('notification', (message) => {
      if (message.channel !== channel || !message.payload) return
      try {
        const note = JSON.parse(message.payload) as { log?: unknown; head?: unknown }
        if (note.log === log && typeof note.head === 'number') emit(note.head)
      } catch {
        // Not ours.
      }
    })
    // Whichever comes first, a dropped connection or a failed start, schedules one reconnect.
    const retry = () => {
      if (client !== next || stopped) return
      client = undefined
      next.end().catch(() => undefined)
      timer = setTimeout(() => void connect(), Math.min(5000, 100 * 2 ** failures++))
    }
    next.on('end', retry)
    try {
      await next.connect()
      await next.query(`LISTEN ${channel}`)
      failures = 0
      emit(await currentHead())
    } catch {
      retry()
    }
  }
  void connect()
  return {
    stop() {
      stopped = true
      clearTimeout(timer)
      void client?.end().catch(() => undefined)
    },
  }
}
