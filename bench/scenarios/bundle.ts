// Scenario 8: gzip size of Chronicle as an app bundles it, beside Redux Toolkit + react-redux.
import { resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import react from '@vitejs/plugin-react'
import { build, type Rolldown } from 'vite'
import { asProduction, benchRoot, conditionsFor, type PackageSource } from '../lib/browser'
import { summarize } from '../lib/results'
import type { Outcome, Params, Scenario } from './scenario'

const reactModules = ['react', 'react-dom', 'react-dom/client', 'react/jsx-runtime', 'scheduler']

/**
 * The minified, tree-shaken chunks of the app `entry` (in bench/apps), built as `vite build` builds a
 * production app; `withReact` false leaves React out (both apps share it). Call it inside
 * {@link asProduction}.
 */
export async function bundleApp(entry: string, from: PackageSource, withReact: boolean): Promise<Rolldown.OutputChunk[]> {
  const output = await build({
    root: resolve(benchRoot, 'apps'),
    configFile: false,
    logLevel: 'silent',
    mode: 'production',
    plugins: [react()],
    resolve: { conditions: conditionsFor(from) },
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      modulePreload: false,
      rolldownOptions: { input: resolve(benchRoot, 'apps', entry), external: withReact ? [] : reactModules },
    },
  })
  const outputs = (Array.isArray(output) ? output : [output]) as Rolldown.RolldownOutput[]
  return outputs.flatMap(({ output: files }) => files.filter((file) => file.type === 'chunk'))
}

/** Gzip (level 9) bytes of {@link bundleApp}'s chunks. */
async function gzipSize(entry: string, from: PackageSource, withReact: boolean): Promise<number> {
  let bytes = 0
  for (const chunk of await bundleApp(entry, from, withReact)) bytes += gzipSync(chunk.code, { level: 9 }).length
  return bytes
}

export const bundleSize: Scenario<Params> = {
  id: 8,
  key: 'bundle-size',
  title: 'Bundle size',
  params: { full: { runs: 1 }, quick: { runs: 1 } },
  async run({ from, progress }): Promise<Outcome> {
    progress('bundling both apps')
    const [chronicle, redux, chronicleWithReact, reduxWithReact] = await asProduction(() =>
      Promise.all([
        gzipSize('chronicle.tsx', from, false),
        gzipSize('redux.tsx', from, false),
        gzipSize('chronicle.tsx', from, true),
        gzipSize('redux.tsx', from, true),
      ]),
    )
    return {
      status: 'measured',
      metrics: [
        summarize({
          key: 'gzip',
          label: 'gzip bytes of library + app code (React external)',
          unit: 'bytes',
          better: 'lower',
          chronicle: [chronicle],
          baseline: [redux],
          baselineLabel: 'Redux Toolkit + react-redux app',
          target: { kind: 'ratio', min: 1, text: 'smaller (>= 1.00x)' },
        }),
      ],
      details: { 'Chronicle app with React, gzip bytes': chronicleWithReact, 'Redux app with React, gzip bytes': reduxWithReact },
    }
  },
}
