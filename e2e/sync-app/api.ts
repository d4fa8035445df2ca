/** What the sync test page exposes on `window.syncTest`. */
export interface SyncTestApi {
  add(boardId: string, cardId: string): Promise<{ commandId: string } | { refused: string }>
  move(boardId: string, cardId: string, to: string): Promise<{ commandId: string } | { refused: string }>
  columns(): Record<string, string[]>
  status(): { online: boolean; pending: number; confirmedPosition: number; lastError: string | null }
  /** 'confirmed', or the error code the server refused the command with. */
  outcome(commandId: string): Promise<string>
  /** The ids of the events in the device's log, in order. */
  log(): Promise<string[]>
}

declare global {
  interface Window {
    syncTest: SyncTestApi
  }
}
