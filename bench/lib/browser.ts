// Builds the benchmark page with Vite, serves it cross-origin isolated (for fine-grained timers),
// and drives it in the system Chromium through Playwright.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { chromium, type BrowserContext, type Page } from 'playwright'
import { build, defaultClientConditions, preview, type PreviewServer } from 'vite'
import { chromiumLaunchOptions } from '../../vite.config'
import type { StepName, Steps } from '../page/steps'

export const benchRoot = resolve(import.meta.dirname, '..')
const pageRoot = resolve(benchRoot, 'page')
const outDir = resolve(benchRoot, '.build/page')

/** Where the page takes `@chronicle/*` from: the TypeScript source, or the built packages' dist. */
export type PackageSource = 'source' | 'dist'

/** Resolve conditions for a package source: the workspace's source condition, or what users get. */
export const conditionsFor = (from: PackageSource) => (from === 'source' ? ['@chronicle/source', ...defaultClientConditions] : [...defaultClientConditions])

/**
 * Runs `work` with `process.env.NODE_ENV` set to 'production', as `vite build` sets it when it is
 * unset. Vite reads it when it resolves a config: it picks the JSX runtime (production or dev) and
 * the value it substitutes for `process.env.NODE_ENV` in dependencies; `mode: 'production'` alone
 * does not change it. `pnpm bench` sets it for the whole run (bench/run.mjs); this keeps a build
 * for production whoever calls it (Vite's module runner sets 'development', vitest 'test'), so an
 * app never bundles React's jsx-dev-runtime or its dependencies' development builds.
 */
export async function asProduction<T>(work: () => Promise<T>): Promise<T> {
  const before = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    return await work()
  } finally {
    if (before === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = before
  }
}

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }

/** A running browser with the benchmark page one `newPage` away. */
export interface BenchBrowser {
  /** The browser's name and version, e.g. "Chromium 156.0.8078.79". */
  readonly version: string
  /** Opens the page fresh (new JS heap), runs `work`, closes the page. */
  withPage<T>(work: (page: BenchPage) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** One open benchmark page. */
export interface BenchPage {
  /** Runs a step in the page and resolves with what it returned. */
  call<N extends StepName>(name: N, ...params: Parameters<Steps[N]>): Promise<Awaited<ReturnType<Steps[N]>>>
  /** Used JS heap in bytes right after a forced full garbage collection. */
  heapAfterGc(): Promise<number>
  /** Runs `work` under the V8 CPU profiler (sampling every 100 µs); resolves with its result and the profile (a `.cpuprofile`). */
  profiled<T>(work: () => Promise<T>): Promise<{ result: T; profile: unknown }>
}

/** Builds the page (production React, minified) and starts the browser on it. */
export async function startBrowser(from: PackageSource): Promise<BenchBrowser> {
  await build({
    root: pageRoot,
    configFile: false,
    logLevel: 'warn',
    mode: 'production',
    plugins: [react()],
    resolve: { conditions: conditionsFor(from) },
    // Minified like an app ships; BENCH_MINIFY=0 keeps function names readable in CPU profiles.
    build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, minify: process.env.BENCH_MINIFY !== '0' },
  })
  const server: PreviewServer = await preview({
    root: pageRoot,
    configFile: false,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, headers: isolation },
  })
  const url = server.resolvedUrls?.local[0]
  if (!url) throw new Error('vite preview did not report a URL')
  // A persistent profile keeps IndexedDB on disk, as for users; a plain context is off the record (in memory).
  const profile = mkdtempSync(join(tmpdir(), 'chronicle-bench-'))
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(profile, { ...chromiumLaunchOptions, headless: true })
  } catch (error) {
    await server.close()
    rmSync(profile, { recursive: true, force: true })
    throw error
  }
  const version = `Chromium ${context.browser()?.version() ?? (await versionOf(context))}`

  return {
    version,
    async withPage(work) {
      const page = await context.newPage()
      try {
        await page.goto(url)
        await page.waitForFunction(() => window.chronicleBench !== undefined)
        const isolated = await page.evaluate(() => crossOriginIsolated)
        if (!isolated) throw new Error('The benchmark page is not cross-origin isolated; timers would be coarse')
        return await work(await wrap(page))
      } finally {
        await page.close()
      }
    },
    async close() {
      await context.close()
      await server.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

async function versionOf(context: BrowserContext): Promise<string> {
  const page = context.pages()[0] ?? (await context.newPage())
  const cdp = await context.newCDPSession(page)
  const { product } = await cdp.send('Browser.getVersion')
  await cdp.detach()
  return product.replace(/^[^/]*\//, '')
}

async function wrap(page: Page): Promise<BenchPage> {
  const cdp = await page.context().newCDPSession(page)
  return {
    call: (name, ...params) =>
      page.evaluate(
        ([step, args]) => {
          const steps = window.chronicleBench as unknown as Record<string, (...a: unknown[]) => unknown>
          return steps[step]!(...args)
        },
        [name, params] as const,
      ) as never,
    async heapAfterGc() {
      await cdp.send('HeapProfiler.collectGarbage')
      await cdp.send('HeapProfiler.collectGarbage')
      const { usedSize } = await cdp.send('Runtime.getHeapUsage')
      return usedSize
    },
    async profiled(work) {
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 })
      await cdp.send('Profiler.start')
      try {
        const result = await work()
        const { profile } = await cdp.send('Profiler.stop')
        return { result, profile }
      } finally {
        await cdp.send('Profiler.disable')
      }
    },
  }
}
