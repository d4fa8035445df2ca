// The benchmark harness's own logic: statistics, ratios and targets, options, and the three
// renderings. No timings are asserted anywhere: these run on made-up figures.
import { describe, expect, it } from 'vitest'
import { parseOptions } from '../lib/options'
import { positions } from '../lib/positions'
import { summarize, type BenchResult } from '../lib/results'
import { median, percentile, relative } from '../lib/stats'
import { renderChart } from '../report/chart'
import { endMarker, renderMarkdown, replaceBlock, startMarker } from '../report/markdown'
import { renderTable } from '../report/table'

describe('statistics', () => {
  it('takes medians and interpolated percentiles of unsorted values', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(percentile([10, 20, 30, 40, 50], 0)).toBe(10)
    expect(percentile([10, 20, 30, 40, 50], 100)).toBe(50)
    expect(percentile([10, 20, 30, 40, 50], 90)).toBeCloseTo(46)
    expect(percentile(Array.from({ length: 1000 }, (_, i) => i + 1), 99)).toBeCloseTo(990.01)
    expect(median([])).toBeNaN()
    expect(() => percentile([1], 101)).toThrow(RangeError)
  })

  it('orients ratios so that higher is always better', () => {
    expect(relative(900, 1000, 'higher')).toBeCloseTo(0.9)
    expect(relative(150, 100, 'lower')).toBeCloseTo(2 / 3)
  })
})

describe('summarize', () => {
  it('reports medians of both sides and the median of per-run ratios', () => {
    const metric = summarize({ key: 'rate', label: 'rate', unit: 'events/s', better: 'higher', chronicle: [90, 50, 100], baseline: [100, 100, 50], target: { kind: 'ratio', min: 0.9, text: '>= 0.90x' } })
    expect(metric.chronicle).toBe(90)
    expect(metric.baseline).toBe(100)
    // Per run: 0.9, 0.5, 2 -> median 0.9 (the ratio of the medians would also be 0.9 here, by chance).
    expect(metric.ratio).toBeCloseTo(0.9)
    expect(metric.target).toEqual({ text: '>= 0.90x', met: true, ratio: 0.9 })
    expect(metric.samples).toEqual({ chronicle: [90, 50, 100], baseline: [100, 100, 50] })
  })

  it('judges absolute targets on Chronicle alone and targets over the baseline on the difference', () => {
    const under = summarize({ key: 'p99', label: 'p99', unit: 'ms', better: 'lower', chronicle: [17, 15, 12], target: { kind: 'under', max: 16, text: '< 16 ms' } })
    expect(under.target?.met).toBe(true)
    expect(under.ratio).toBeUndefined()
    const over = summarize({ key: 'cold', label: 'cold', unit: 'ms', better: 'lower', chronicle: [80], baseline: [20], target: { kind: 'overBaseline', max: 50, text: '<= +50 ms' } })
    expect(over.target).toEqual({ text: '<= +50 ms', met: false, ratio: 20 / 70 })
  })

  it('refuses samples that do not pair up', () => {
    expect(() => summarize({ key: 'x', label: 'x', unit: 'ms', better: 'lower', chronicle: [1, 2], baseline: [1] })).toThrow(/2 Chronicle samples against 1/)
    expect(() => summarize({ key: 'x', label: 'x', unit: 'ms', better: 'lower', chronicle: [] })).toThrow(/no samples/)
  })
})

describe('options', () => {
  it('defaults to a full run of everything that rewrites the docs', () => {
    expect(parseOptions([])).toEqual({ quick: false, only: [], runs: undefined, from: 'source', out: undefined, docs: true, help: false })
  })

  it('leaves the docs alone on partial runs unless asked', () => {
    expect(parseOptions(['--quick']).docs).toBe(false)
    expect(parseOptions(['--only=1,8']).only).toEqual([1, 8])
    expect(parseOptions(['--only=9,13']).only).toEqual([9, 13])
    expect(parseOptions(['--only=1', '--docs']).docs).toBe(true)
    expect(parseOptions(['--no-docs']).docs).toBe(false)
  })

  it('rejects what it does not understand', () => {
    expect(() => parseOptions(['--fast'])).toThrow(/Unknown option "--fast"/)
    expect(() => parseOptions(['--only=14'])).toThrow(/1-13/)
    expect(() => parseOptions(['--runs=0'])).toThrow(/whole number/)
    expect(() => parseOptions(['--from=cdn'])).toThrow(/"source" or "dist"/)
  })
})

it('draws the same pseudo-random positions for the same seed, all within the log', () => {
  const a = positions(1000, 50, 7)
  expect(positions(1000, 50, 7)).toEqual(a)
  expect(positions(1000, 50, 8)).not.toEqual(a)
  expect(a.every((p) => Number.isInteger(p) && p >= 1 && p <= 1000)).toBe(true)
})

describe('reports', () => {
  const result: BenchResult = {
    format: 1,
    quick: true,
    startedAt: '2025-01-02T03:04:05.000Z',
    seconds: 42,
    environment: {
      cpu: 'Test CPU',
      cores: 2,
      memoryGiB: 8,
      os: 'Linux',
      node: 'v20.0.0',
      browser: 'Chromium 1.2.3 (headless)',
      from: 'source',
      commit: 'abc1234',
      packages: { '@chronicle/core': '0.1.0' },
    },
    scenarios: [
      {
        id: 1,
        key: 'one',
        title: 'Durable dispatch',
        status: 'measured',
        params: { runs: 3, n: 300 },
        metrics: [summarize({ key: 'rate', label: 'commands/s', unit: 'events/s', better: 'higher', chronicle: [1200], baseline: [1000], baselineLabel: 'raw idb', target: { kind: 'ratio', min: 0.9, text: '>= 0.90x' } })],
        details: { 'plain fold (ms)': 5.5, 'peer app, gzip bytes': 31_693, 'peer app, Chronicle against it (ratio)': 1.1494 },
      },
      {
        id: 3,
        key: 'render',
        title: 'Dispatch to render',
        status: 'measured',
        params: { runs: 1, n: 10 },
        metrics: [summarize({ key: 'median', label: 'median latency', unit: 'ms', better: 'lower', chronicle: [2], baseline: [1], target: { kind: 'under', max: 1, text: '< 1 ms' } })],
      },
      { id: 5, key: 'travel', title: 'Time travel', status: 'unavailable', note: 'store.travel(position) does not exist yet', params: { runs: 1 }, metrics: [] },
      { id: 6, key: 'undo', title: 'Undo', status: 'failed', note: 'boom', params: { runs: 1 }, metrics: [] },
    ],
  }

  it('prints a table with ratios, verdicts, baselines and scenarios that could not run', () => {
    const table = renderTable(result)
    expect(table).toMatch(/1\s+Durable dispatch: commands\/s\s+1,200 \/s\s+1,000 \/s\s+1\.20x\s+>= 0\.90x\s+met/)
    expect(table).toMatch(/3\s+Dispatch to render: median latency\s+2\.00 ms\s+1\.00 ms\s+0\.50x\s+< 1 ms\s+MISSED/)
    expect(table).toMatch(/5\s+Time travel\s+not yet available: store\.travel\(position\) does not exist yet/)
    expect(table).toMatch(/6\s+Undo\s+FAILED: boom/)
    expect(table).toContain('1 commands/s: baseline is raw idb')
    expect(table).toContain('1 plain fold (ms): 5.50')
    expect(table).toContain('1 peer app, gzip bytes: 31.7 kB')
    expect(table).toContain('1 peer app, Chronicle against it (ratio): 1.15x')
  })

  it('draws an SVG bar per ratio, a target mark per ratio target, and a note per unavailable scenario', () => {
    const svg = renderChart(result)
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
    expect(svg.match(/<rect /g)).toHaveLength(3) // the background and two bars
    expect(svg).toContain('1.20x  target met')
    expect(svg).toContain('0.50x  target missed')
    expect(svg).toContain('not yet available: store.travel(position) does not exist yet')
    expect(svg).not.toMatch(/NaN|undefined|Infinity/)
  })

  it('renders the docs block and replaces only what lies between the markers', () => {
    const block = renderMarkdown(result, { chart: '../bench/results/x.svg', json: '../bench/results/x.json' })
    expect(block.startsWith(startMarker)).toBe(true)
    expect(block.endsWith(endMarker)).toBe(true)
    expect(block).toContain('![Chronicle against raw IndexedDB, ratios per scenario](../bench/results/x.svg)')
    expect(block).toContain('| CPU | Test CPU, 2 cores, 8 GiB |')
    expect(block).toContain('| 1 | Durable dispatch: commands/s | 1,200 /s | 1,000 /s | 1.20x | >= 0.90x | met |')
    const page = `# Benchmarks\n\nIntro.\n\n${startMarker}\nold\n${endMarker}\n\n## Scenarios\n`
    const updated = replaceBlock(page, block)
    expect(updated).toBe(`# Benchmarks\n\nIntro.\n\n${block}\n\n## Scenarios\n`)
    expect(replaceBlock('# Benchmarks\n', block)).toBe(`# Benchmarks\n\n${block}\n`)
  })
})
