import { useId, useState } from 'react'
import { useQuery } from '@chronicle/react'
import { recentActivity, type ActivityEntry } from '../../domain'
import { PersonOptions } from '../common'
import { Avatar } from '../Avatar'
import { isShowableTime, useNow } from '../format'
import { TimeAgo } from '../TimeAgo'
import { ActivitySentence } from './ActivitySentence'

const pageSize = 50
const sameEntries = (a: readonly ActivityEntry[], b: readonly ActivityEntry[]) => a.length === b.length && a.every((entry, i) => entry === b[i])
const dayFormat = new Intl.DateTimeFormat('en', { weekday: 'long', month: 'long', day: 'numeric' })

/** Groups entries (newest first) by calendar day. */
function byDay(entries: readonly ActivityEntry[]): [string, ActivityEntry[]][] {
  const groups = new Map<string, ActivityEntry[]>()
  for (const entry of entries) {
    const day = isShowableTime(entry.at) ? dayFormat.format(entry.at) : 'Unknown day'
    const list = groups.get(day) ?? []
    list.push(entry)
    groups.set(day, list)
  }
  return [...groups]
}

/** The audit trail: who did what and when, newest first, from the activity read model. */
export function ActivityPage() {
  const [limit, setLimit] = useState(pageSize)
  const [person, setPerson] = useState('')
  const entries = useQuery(recentActivity, limit, sameEntries)
  const now = useNow()
  const filterId = useId()
  const shown = person === '' ? entries : entries.filter((e) => e.actor === person)

  return (
    <div className="activity-page">
      <div className="page-toolbar">
        <div>
          <h1 className="page-title">Activity</h1>
          <p className="muted">Every change, who made it and when: the audit trail, read from the event log.</p>
        </div>
        <div className="field field-inline">
          <label htmlFor={filterId} className="field-label">
            Show
          </label>
          <select id={filterId} className="input" value={person} onChange={(e) => setPerson(e.target.value)}>
            <option value="">Everyone</option>
            <PersonOptions />
          </select>
        </div>
      </div>
      <div className="panel">
        {shown.length === 0 && <p className="muted">Nothing yet.</p>}
        {byDay(shown).map(([day, list]) => (
          <section key={day} className="activity-day" aria-label={day}>
            <h2 className="activity-day-title">{day}</h2>
            <ol className="activity-list">
              {list.map((entry) => (
                <li key={entry.id} className="activity-entry">
                  {entry.actor === null ? <span className="avatar avatar-system" aria-hidden="true">⚙</span> : <Avatar personId={entry.actor} />}
                  <div className="activity-text">
                    <ActivitySentence entry={entry} />
                    <p className="muted activity-meta">
                      <TimeAgo at={entry.at} now={now} />
                      {' · '}event #{entry.seq}
                    </p>
                  </div>
                </li>
              ))}
            </ol>
          </section>
        ))}
        {entries.length === limit && (
          <button type="button" className="button full-width" onClick={() => setLimit((l) => l + pageSize)}>
            Show older activity
          </button>
        )}
      </div>
    </div>
  )
}
