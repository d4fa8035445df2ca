// The terminal rendering of a result: one aligned table, then the baselines and details.
import type { BenchResult } from '../lib/results'
import { formatRatio, formatValue, rows } from './format'

const headers = { id: '#', name: 'scenario: figure', chronicle: 'Chronicle', baseline: 'baseline', ratio: 'ratio', target: 'target', verdict: '' } as const
type Column = keyof typeof headers
const columns = Object.keys(headers) as Column[]
const rightAligned = new Set<Column>(['chronicle', 'baseline', 'ratio'])

/** The result as a plain-text table (ratios: higher is better, 1.00x = as good as the baseline). */
export function renderTable(result: BenchResult): string {
  const { rows: body, notes } = rows(result.scenarios)
  const width = Object.fromEntries(columns.map((c) => [c, Math.max(headers[c].length, ...body.map((r) => r[c].length))])) as Record<Column, number>
  const cell = (c: Column, text: string) => (rightAligned.has(c) ? text.padStart(width[c]) : text.padEnd(width[c]))
  const line = (r: Record<Column, string>) => columns.map((c) => cell(c, r[c])).join('  ').trimEnd()
  const lines = [line(headers), columns.map((c) => '-'.repeat(width[c])).join('  ')]
  body.forEach((r, i) => {
    const note = notes.get(i)
    lines.push(note ? `${cell('id', r.id)}  ${cell('name', r.name)}  ${note}` : line(r))
  })
  lines.push('', 'ratio: Chronicle against its baseline in the same run, higher is better (1.00x = as good as the baseline).')
  for (const scenario of result.scenarios) {
    for (const metric of scenario.metrics) if (metric.baselineLabel) lines.push(`  ${scenario.id} ${metric.label}: baseline is ${metric.baselineLabel}`)
    for (const [name, value] of Object.entries(scenario.details ?? {})) lines.push(`  ${scenario.id} ${name}: ${formatDetail(name, value)}`)
  }
  return lines.join('\n')
}

/** Details carry their unit in their name, e.g. "plain fold (ms)", or "... (ratio)" for a ratio like the table's. */
export function formatDetail(name: string, value: number): string {
  if (name.endsWith('(ratio)')) return formatRatio(value)
  if (name.endsWith('(ms)')) return formatValue(value, 'ms').replace(/ ms$/, '')
  if (name.endsWith('(events/s)')) return formatValue(value, 'events/s').replace(/ \/s$/, '')
  if (name.includes('bytes')) return formatValue(value, 'bytes')
  return String(value)
}
