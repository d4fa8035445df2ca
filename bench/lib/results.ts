// The shape of a benchmark result (bench/results/*.json) and how a metric is summarised.
import { median, relative, type Better } from './stats'

/** The unit a metric is measured in. */
export type Unit = 'events/s' | 'ms' | 'bytes'

/** How a metric's target is judged. */
export type TargetSpec =
  /** Chronicle relative to its baseline (higher is better) must reach `min`. */
  | { readonly kind: 'ratio'; readonly min: number; readonly text: string }
  /** Chronicle's own figure (its median) must stay under `max`, in the metric's unit. */
  | { readonly kind: 'under'; readonly max: number; readonly text: string }
  /** Chronicle's figure may exceed the baseline's by `max` at most, in the metric's unit. */
  | { readonly kind: 'overBaseline'; readonly max: number; readonly text: string }

/** A target and whether this run met it. */
export interface TargetResult {
  readonly text: string
  readonly met: boolean
  /** Where the chart marks the target on the ratio axis, when the target is about the ratio. */
  readonly ratio?: number
}

/** One figure of a scenario: Chronicle's, its baseline's, and the ratio between them. */
export interface Metric {
  readonly key: string
  readonly label: string
  readonly unit: Unit
  readonly better: Better
  /** Median over runs. */
  readonly chronicle: number
  readonly baseline?: number
  readonly baselineLabel?: string
  /** Median over runs of Chronicle relative to the same run's baseline; higher is better, 1 = as good. */
  readonly ratio?: number
  /** One value per run. */
  readonly samples: { readonly chronicle: readonly number[]; readonly baseline?: readonly number[] }
  readonly target?: TargetResult
}

/** Whether a scenario ran: `unavailable` when the API it measures does not exist yet. */
export type ScenarioStatus = 'measured' | 'unavailable' | 'failed'

/** A scenario's outcome. */
export interface ScenarioResult {
  readonly id: number
  readonly key: string
  readonly title: string
  readonly status: ScenarioStatus
  /** Why a scenario is unavailable or failed. */
  readonly note?: string
  readonly params: Readonly<Record<string, number>>
  readonly metrics: readonly Metric[]
  /** Further medians worth knowing (e.g. the parts of a baseline), by name. */
  readonly details?: Readonly<Record<string, number>>
}

/** Where and with what the benchmark ran. */
export interface Environment {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly os: string
  readonly node: string
  readonly browser: string
  /** Where the page took `@chronicle/*` from. */
  readonly from: 'source' | 'dist'
  readonly commit: string | undefined
  /** Versions of the packages that matter, by name. */
  readonly packages: Readonly<Record<string, string>>
}

/** A whole benchmark run, as written to bench/results/. */
export interface BenchResult {
  readonly format: 1
  readonly quick: boolean
  readonly startedAt: string
  readonly seconds: number
  readonly environment: Environment
  readonly scenarios: readonly ScenarioResult[]
}

/** What a metric is built from: per-run values of both sides. */
export interface MetricInput {
  readonly key: string
  readonly label: string
  readonly unit: Unit
  readonly better: Better
  readonly chronicle: readonly number[]
  readonly baseline?: readonly number[]
  readonly baselineLabel?: string
  readonly target?: TargetSpec
}

/** Summarises per-run values into a metric: medians, the median per-run ratio, and the target's verdict. */
export function summarize(input: MetricInput): Metric {
  const { chronicle, baseline } = input
  if (chronicle.length === 0) throw new Error(`metric ${input.key} has no samples`)
  if (baseline && baseline.length !== chronicle.length) throw new Error(`metric ${input.key}: ${chronicle.length} Chronicle samples against ${baseline.length} baseline samples`)
  const ours = median(chronicle)
  const theirs = baseline ? median(baseline) : undefined
  const ratio = baseline ? median(chronicle.map((value, i) => relative(value, baseline[i]!, input.better))) : undefined
  return {
    key: input.key,
    label: input.label,
    unit: input.unit,
    better: input.better,
    chronicle: ours,
    ...(theirs === undefined ? {} : { baseline: theirs }),
    ...(input.baselineLabel === undefined ? {} : { baselineLabel: input.baselineLabel }),
    ...(ratio === undefined ? {} : { ratio }),
    samples: { chronicle: [...chronicle], ...(baseline ? { baseline: [...baseline] } : {}) },
    ...(input.target ? { target: judge(input.target, ours, theirs, ratio) } : {}),
  }
}

function judge(target: TargetSpec, ours: number, theirs: number | undefined, ratio: number | undefined): TargetResult {
  switch (target.kind) {
    case 'ratio':
      if (ratio === undefined) throw new Error(`a ratio target (${target.text}) needs a baseline`)
      return { text: target.text, met: ratio >= target.min, ratio: target.min }
    case 'under':
      return { text: target.text, met: ours < target.max }
    case 'overBaseline':
      if (theirs === undefined) throw new Error(`a target over the baseline (${target.text}) needs a baseline`)
      return { text: target.text, met: ours - theirs <= target.max, ratio: theirs / (theirs + target.max) }
  }
}
