import { useId } from 'react'

/** One part of a bar. `tone` picks the colour (a CSS class, `bar-<tone>`). */
export interface BarSegment {
  readonly name: string
  readonly value: number
  readonly tone: string
}

/** One row of the chart. */
export interface BarRow {
  readonly key: string
  readonly label: string
  readonly segments: readonly BarSegment[]
  /** A reference line on this row only (a WIP limit). */
  readonly marker?: number | null
}

/** Props of `BarChart`. */
export interface BarChartProps {
  readonly title: string
  readonly description: string
  readonly rows: readonly BarRow[]
  /** How values read (default: the number). */
  readonly format?: (value: number) => string
  /** A reference line across every row (an average), with its label. */
  readonly reference?: { readonly value: number; readonly label: string }
  /** Shows a legend of the segment names (for stacked bars). */
  readonly legend?: boolean
  /** The drawing's width in SVG units: wider charts keep their text the size of narrower ones. */
  readonly width?: number
}

const labelWidth = 180
const valueWidth = 84
const rowHeight = 34
const barHeight = 18
const top = 8

/** Truncates a label to fit the label column. */
function clip(text: string, max = 21): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/**
 * A horizontal bar chart in plain SVG, with the same data as a table for screen readers. Bars may
 * be stacked (several segments), carry a marker (a WIP limit) or share a reference line (an average).
 */
export function BarChart({ title, description, rows, format = String, reference, legend = false, width = 520 }: BarChartProps) {
  const titleId = useId()
  const descriptionId = useId()
  const totals = rows.map((row) => row.segments.reduce((sum, s) => sum + s.value, 0))
  const max = Math.max(1, ...totals, ...rows.map((r) => r.marker ?? 0), reference?.value ?? 0)
  const plot = width - labelWidth - valueWidth
  const x = (value: number) => labelWidth + (value / max) * plot
  const height = top * 2 + rows.length * rowHeight + (reference ? 18 : 0)
  const names = [...new Map(rows.flatMap((r) => r.segments.map((s) => [s.name, s.tone] as const))).entries()]

  return (
    <figure className="chart">
      <figcaption className="chart-caption">
        <span className="chart-title">{title}</span>
        <span className="muted">{description}</span>
      </figcaption>
      {legend && (
        <ul className="chart-legend" aria-hidden="true">
          {names.map(([name, tone]) => (
            <li key={name}>
              <span className={`legend-swatch bar-${tone}`} /> {name}
            </li>
          ))}
        </ul>
      )}
      <svg viewBox={`0 0 ${width} ${height}`} className="chart-svg" role="img" aria-labelledby={`${titleId} ${descriptionId}`}>
        <title id={titleId}>{title}</title>
        <desc id={descriptionId}>{description}</desc>
        {rows.map((row, i) => {
          const y = top + i * rowHeight
          let offset = 0
          return (
            <g key={row.key}>
              <text x={labelWidth - 10} y={y + rowHeight / 2} className="chart-label" textAnchor="end" dominantBaseline="middle">
                <title>{row.label}</title>
                {clip(row.label)}
              </text>
              <rect x={labelWidth} y={y + (rowHeight - barHeight) / 2} width={plot} height={barHeight} rx={4} className="bar-track" />
              {row.segments.map((segment) => {
                const start = offset
                offset += segment.value
                if (segment.value <= 0) return null
                return (
                  <rect key={segment.name} x={x(start)} y={y + (rowHeight - barHeight) / 2} width={Math.max(2, x(offset) - x(start))} height={barHeight} rx={4} className={`bar bar-${segment.tone}`}>
                    <title>{`${row.label}: ${format(segment.value)} ${segment.name}`}</title>
                  </rect>
                )
              })}
              {row.marker != null && (
                <line x1={x(row.marker)} x2={x(row.marker)} y1={y + 4} y2={y + rowHeight - 4} className="chart-marker">
                  <title>{`Limit ${row.marker}`}</title>
                </line>
              )}
              <text x={x(totals[i]!) + 8} y={y + rowHeight / 2} className="chart-value" dominantBaseline="middle">
                {format(totals[i]!)}
              </text>
            </g>
          )
        })}
        {reference && (
          <g>
            <line x1={x(reference.value)} x2={x(reference.value)} y1={top} y2={height - 16} className="chart-reference" />
            <text x={x(reference.value)} y={height - 4} className="chart-reference-label" textAnchor="middle">
              {reference.label}
            </text>
          </g>
        )}
      </svg>
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            {names.map(([name]) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.label}</th>
              {names.map(([name]) => (
                <td key={name}>{format(row.segments.find((s) => s.name === name)?.value ?? 0)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
