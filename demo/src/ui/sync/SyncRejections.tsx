import { useStore, useSyncRejections } from '@chronicle/react'
import { boardView } from '../../domain'
import { useNotices } from '../notices'
import { describeCommand } from './describeCommand'

/** Shows every command the server refused (already rolled back) as a notice that says why. */
export function SyncRejections() {
  const store = useStore()
  const notices = useNotices()
  useSyncRejections(({ type, payload, error }) => {
    notices.error(error.reason, {
      title: 'Not accepted by the server',
      message: `${describeCommand(type, payload, store.read(boardView))} was rolled back: ${error.reason.message}`,
    })
  })
  return null
}
