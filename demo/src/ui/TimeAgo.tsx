import { formatDateTime, formatRelative, isoTime } from './format'

/**
 * A moment as people read it ("3 hours ago", the full date on hover) and as machines do
 * (`dateTime`). A value that is not a time shows "unknown time" instead of failing the view.
 */
export function TimeAgo({ at, now, className }: { readonly at: number; readonly now: number; readonly className?: string }) {
  return (
    <time dateTime={isoTime(at)} title={formatDateTime(at)} className={className}>
      {formatRelative(at, now)}
    </time>
  )
}
