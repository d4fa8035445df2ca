// The chart of ratios (SVG): one bar per figure from the baseline line (1x) to Chronicle's ratio,
// on a log scale, with the target marked where the target is a ratio.
import type { BenchResult, Metric } from '../lib/results'
import { formatRatio, statusLine } from './format'

const row = 30
const plotWidth = 420
const valueWidth = 150
const top = 64
const colors = { met: '#2e7d32', missed: '#c62828', none: '#546e7a', target: '#111', axis: '#9e9e9e', text: '#212121', muted: '#757575' }

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Powers of two that span every ratio and target, at least 1/4 .. 4. */
function domain(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0)
  const low = Math.min(0.25, ...finite)
  const high = Math.max(4, ...finite)
  return [2 ** Math.floor(Math.log2(low)), 2 ** Math.ceil(Math.log2(high))]
}

/** The chart as an SVG document. */
export function renderChart(result: BenchResult): string {
  type Line = { label: string; metric?: Metric; note?: string }
  const lines: Line[] = []
  for (const scenario of result.scenarios) {
    const status = statusLine(scenario)
    if (status) lines.push({ label: `${scenario.id}. ${scenario.title}`, note: status })
    else {
      const charted = scenario.metrics.filter((m) => m.ratio !== undefined)
      // The table has the long labels; the chart names a figure by its key when a scenario has several.
      for (const metric of charted) lines.push({ label: `${scenario.id}. ${scenario.title}${charted.length > 1 ? `: ${metric.key.replace(/-/g, ' ')}` : ''}`, metric })
    }
  }
  // About 6.6 px per character at 12 px: wide enough for the longest label, never cut.
  const labelWidth = Math.max(200, Math.ceil(Math.max(...lines.map((l) => l.label.length)) * 6.6) + 24)
  const [low, high] = domain(lines.flatMap((l) => (l.metric ? [l.metric.ratio!, l.metric.target?.ratio ?? 1] : [])))
  const x = (ratio: number) => labelWidth + ((Math.log2(ratio) - Math.log2(low)) / (Math.log2(high) - Math.log2(low))) * plotWidth
  const width = labelWidth + plotWidth + valueWidth
  const height = top + lines.length * row + 48
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600" fill="${colors.text}">Chronicle against raw IndexedDB (and Redux stacks for bundle size), same run</text>`,
    `<text x="12" y="42" fill="${colors.muted}">${escape(`Ratio, higher is better, 1x = as good as the baseline; log scale. ${result.environment.browser}, ${result.quick ? 'quick run' : 'full run'}, ${result.startedAt.slice(0, 10)}.`)}</text>`,
  ]
  // Grid: one line per power of two, the baseline (1x) darker.
  for (let tick = low; tick <= high; tick *= 2) {
    const at = x(tick).toFixed(1)
    out.push(`<line x1="${at}" y1="${top - 6}" x2="${at}" y2="${top + lines.length * row}" stroke="${colors.axis}" stroke-width="${tick === 1 ? 1.5 : 0.5}"${tick === 1 ? '' : ' stroke-dasharray="2 3"'}/>`)
    out.push(`<text x="${at}" y="${top + lines.length * row + 16}" text-anchor="middle" fill="${colors.muted}">${tick >= 1 ? tick : `1/${1 / tick}`}x</text>`)
  }
  lines.forEach((line, i) => {
    const y = top + i * row
    out.push(`<text x="${labelWidth - 10}" y="${y + 19}" text-anchor="end" fill="${colors.text}">${escape(line.label)}</text>`)
    if (!line.metric) {
      out.push(`<text x="${labelWidth + 6}" y="${y + 19}" fill="${colors.muted}" font-style="italic">${escape(line.note ?? '')}</text>`)
      return
    }
    const { ratio, target } = line.metric
    const color = target ? (target.met ? colors.met : colors.missed) : colors.none
    const from = x(1)
    const to = x(Math.min(high, Math.max(low, ratio!)))
    out.push(`<rect x="${Math.min(from, to).toFixed(1)}" y="${y + 7}" width="${Math.max(1, Math.abs(to - from)).toFixed(1)}" height="16" fill="${color}" opacity="0.85"/>`)
    if (target?.ratio !== undefined) {
      const at = x(target.ratio).toFixed(1)
      out.push(`<line x1="${at}" y1="${y + 3}" x2="${at}" y2="${y + 27}" stroke="${colors.target}" stroke-width="2"/>`)
    }
    const verdict = target ? (target.met ? 'target met' : 'target missed') : 'no ratio target'
    out.push(`<text x="${labelWidth + plotWidth + 10}" y="${y + 19}" fill="${color}">${escape(`${formatRatio(ratio)}  ${verdict}`)}</text>`)
  })
  const legendY = top + lines.length * row + 38
  out.push(`<line x1="12" y1="${legendY - 4}" x2="12" y2="${legendY + 6}" stroke="${colors.target}" stroke-width="2"/>`)
  out.push(`<text x="20" y="${legendY + 5}" fill="${colors.muted}">target ratio; figures with a target in absolute terms (ms) are judged on their own value, see the table</text>`)
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
