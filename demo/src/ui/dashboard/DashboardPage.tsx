import { useQuery } from '@chronicle/react'
import { boardStats, demoBoardId, people, unassigned, type BoardStats } from '../../domain'
import { PageLoading } from '../common'
import { formatDuration } from '../format'
import { BarChart, type BarRow } from './BarChart'

const recentCompletions = 8

function average(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length
}

function Tile({ label, value, hint }: { label: string; value: string; hint: string }) {
  return (
    <div className="tile">
      <p className="tile-label">{label}</p>
      <p className="tile-value">{value}</p>
      <p className="muted tile-hint">{hint}</p>
    </div>
  )
}

function columnRows(stats: BoardStats): BarRow[] {
  return stats.columnOrder.map((id) => {
    const column = stats.columns[id]!
    const full = column.wipLimit !== null && column.count >= column.wipLimit
    return { key: id, label: column.name, marker: column.wipLimit, segments: [{ name: 'cards', value: column.count, tone: column.done ? 'done' : full ? 'full' : 'open' }] }
  })
}

function personRows(stats: BoardStats): BarRow[] {
  const rows: BarRow[] = people.map((person) => {
    const counts = stats.people[person.id] ?? { open: 0, done: 0 }
    return { key: person.id, label: person.name, segments: [{ name: 'open', value: counts.open, tone: 'open' }, { name: 'done', value: counts.done, tone: 'done' }] }
  })
  const nobody = stats.people[unassigned]
  if (nobody && nobody.open + nobody.done > 0) {
    rows.push({ key: 'nobody', label: 'Unassigned', segments: [{ name: 'open', value: nobody.open, tone: 'open' }, { name: 'done', value: nobody.done, tone: 'done' }] })
  }
  return rows
}

/** Numbers about the board, drawn from the dashboard read model. */
export function DashboardPage() {
  const stats = useQuery(boardStats, demoBoardId)
  if (!stats) {
    return <PageLoading>Loading the numbers…</PageLoading>
  }
  const columns = stats.columnOrder.map((id) => stats.columns[id]!)
  const open = columns.filter((c) => !c.done).reduce((sum, c) => sum + c.count, 0)
  const inProgress = columns.filter((c, i) => i > 0 && !c.done).reduce((sum, c) => sum + c.count, 0)
  const finished = columns.filter((c) => c.done).reduce((sum, c) => sum + c.count, 0)
  const recent = stats.completions.slice(-recentCompletions)
  const mean = average(stats.completions.map((c) => c.cycleTimeMs))
  const atLimit = columns.filter((c) => c.wipLimit !== null && c.count >= c.wipLimit).length

  return (
    <div className="dashboard-page">
      <div className="page-toolbar">
        <div>
          <h1 className="page-title">Dashboard</h1>
          <p className="muted">A read model of its own, folded from the same event log as the board.</p>
        </div>
      </div>
      <div className="tiles">
        <Tile label="Open cards" value={String(open)} hint={`${inProgress} in progress or review`} />
        <Tile label="Done" value={String(finished)} hint={`${stats.completions.length} completions recorded`} />
        <Tile label="Average cycle time" value={mean === undefined ? '–' : formatDuration(mean)} hint="from start of work to Done" />
        <Tile label="Columns at their limit" value={String(atLimit)} hint={atLimit === 0 ? 'work is flowing' : 'finish before starting'} />
      </div>
      <div className="charts">
        <div className="panel">
          <BarChart title="Cards per column" description="Cards in each column; the line marks the WIP limit." rows={columnRows(stats)} />
        </div>
        <div className="panel">
          <BarChart title="Cards per person" description="Open and finished cards by assignee." rows={personRows(stats)} legend />
        </div>
        <div className="panel panel-wide">
          <BarChart
            title="Cycle time"
            description={`The last ${recent.length} cards to reach Done, and the average over all ${stats.completions.length}.`}
            rows={recent.map((c, i) => ({ key: `${c.cardId}-${i}`, label: c.title, segments: [{ name: 'cycle time', value: c.cycleTimeMs, tone: 'cycle' }] }))}
            format={formatDuration}
            width={1060}
            {...(mean === undefined ? {} : { reference: { value: mean, label: `average ${formatDuration(mean)}` } })}
          />
        </div>
      </div>
    </div>
  )
}
