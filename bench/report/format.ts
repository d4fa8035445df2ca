// Number formatting shared by the terminal table, the Markdown table and the chart.
import type { Metric, ScenarioResult, Unit } from '../lib/results'

const grouped = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

/** A figure with its unit: `1,234 /s`, `0.84 ms`, `12.3 kB`. */
export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return '-'
  switch (unit) {
    case 'events/s':
      return `${grouped(value)} /s`
    case 'ms':
      return `${grouped(value, value < 10 ? 2 : value < 100 ? 1 : 0)} ms`
    case 'bytes':
      if (value < 1000) return `${grouped(value)} B`
      if (value < 1_000_000) return `${grouped(value / 1000, 1)} kB`
      return `${grouped(value / 1_000_000, 1)} MB`
  }
}

/** A ratio as `0.91x`. */
export const formatRatio = (ratio: number | undefined) => (ratio === undefined || !Number.isFinite(ratio) ? '-' : `${ratio.toFixed(ratio >= 10 ? 1 : 2)}x`)

/** `met`, `missed`, or empty for a figure without a target. */
export const verdict = (metric: Metric) => (metric.target ? (metric.target.met ? 'met' : 'MISSED') : '')

/** What to print instead of figures for a scenario that did not measure anything. */
export function statusLine(scenario: ScenarioResult): string | undefined {
  if (scenario.status === 'unavailable') return `not yet available: ${scenario.note ?? ''}`.trim()
  if (scenario.status === 'failed') return `FAILED: ${scenario.note ?? ''}`.trim()
  return undefined
}

/** One row per metric (or one for a scenario without figures), as plain cells. */
export interface Row {
  readonly id: string
  readonly name: string
  readonly chronicle: string
  readonly baseline: string
  readonly ratio: string
  readonly target: string
  readonly verdict: string
}

/** The rows of the results table, shared by the terminal and the Markdown renderings. */
export function rows(scenarios: readonly ScenarioResult[]): { rows: Row[]; notes: Map<number, string> } {
  const out: Row[] = []
  const notes = new Map<number, string>()
  for (const scenario of scenarios) {
    const status = statusLine(scenario)
    if (status) {
      notes.set(out.length, status)
      out.push({ id: String(scenario.id), name: scenario.title, chronicle: '', baseline: '', ratio: '', target: '', verdict: scenario.status === 'failed' ? 'FAILED' : 'n/a' })
      continue
    }
    scenario.metrics.forEach((metric, i) => {
      out.push({
        id: i === 0 ? String(scenario.id) : '',
        name: `${scenario.title}: ${metric.label}`,
        chronicle: formatValue(metric.chronicle, metric.unit),
        baseline: metric.baseline === undefined ? '-' : formatValue(metric.baseline, metric.unit),
        ratio: formatRatio(metric.ratio),
        target: metric.target?.text ?? '',
        verdict: verdict(metric),
      })
    })
  }
  return { rows: out, notes }
}
