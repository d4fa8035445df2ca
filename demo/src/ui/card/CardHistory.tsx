import { useQuery } from '@chronicle/react'
import { cardActivity } from '../../domain'
import { ActivitySentence } from '../activity/ActivitySentence'
import { useNow } from '../format'
import { TimeAgo } from '../TimeAgo'

const sameEntries = (a: readonly { id: string }[], b: readonly { id: string }[]) => a.length === b.length && a.every((entry, i) => entry.id === b[i]!.id)

/** The card's audit trail, newest first. */
export function CardHistory({ cardId }: { cardId: string }) {
  const entries = useQuery(cardActivity, cardId, sameEntries)
  const now = useNow()
  return (
    <section className="side-section stack" aria-label="History">
      <h3 className="section-title">History</h3>
      {/* It scrolls on its own, so it takes focus: keyboard users scroll it with the arrow keys. */}
      <ol className="history" tabIndex={0} aria-label="Changes to this card, newest first">
        {entries.map((entry) => (
          <li key={entry.id} className="history-entry">
            <ActivitySentence entry={entry} withCard={false} />
            <TimeAgo at={entry.at} now={now} className="muted history-time" />
          </li>
        ))}
      </ol>
    </section>
  )
}
