// Scenario 8: gzip size of Chronicle as an app bundles it, beside the same app written with the
// stacks it replaces: Redux Toolkit with persistence, tab sync and undo (the target's baseline),
// plain in-memory Redux, and local-first peers (Dexie, TinyBase, RxDB, Replicache).
import { resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import react from '@vitejs/plugin-react'
import { build, type Rolldown } from 'vite'
import { asProduction, benchRoot, conditionsFor, type PackageSource } from '../lib/browser'
import { summarize } from '../lib/results'
import { relative } from '../lib/stats'
import type { Outcome, Params, Scenario } from './scenario'

const reactModules = ['react', 'react-dom', 'react-dom/client', 'react/jsx-runtime', 'scheduler']

/** One file of a built app: a JavaScript chunk, or an asset it loads at run time (wasm, a worker, CSS). */
export type BuiltFile = Rolldown.OutputChunk | Rolldown.OutputAsset

/**
 * Every file the app `entry` (in bench/apps) needs at run time, built as `vite build` builds a
 * production app: its minified, tree-shaken chunks and any assets they load (a library's wasm or
 * worker). `withReact` false leaves React out (every app shares it). Call it inside
 * {@link asProduction}.
 */
export async function bundleApp(entry: string, from: PackageSource, withReact: boolean): Promise<BuiltFile[]> {
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
  return outputs.flatMap(({ output: files }) => files)
}

/** Gzip (level 9) bytes of every file {@link bundleApp} builds, chunks and assets, each compressed on its own. */
export async function gzipSize(entry: string, from: PackageSource, withReact: boolean): Promise<number> {
  let bytes = 0
  for (const file of await bundleApp(entry, from, withReact)) bytes += gzipSync(file.type === 'chunk' ? file.code : file.source, { level: 9 }).length
  return bytes
}

/** The apps in bench/apps that Chronicle's is measured against only as details. */
const peers = [
  { entry: 'dexie.tsx', name: 'Dexie + dexie-react-hooks' },
  { entry: 'tinybase.tsx', name: 'TinyBase (IndexedDB persister, ui-react)' },
  { entry: 'rxdb.tsx', name: 'RxDB (Dexie storage, React plugin)' },
  { entry: 'replicache.tsx', name: 'Replicache + replicache-react' },
] as const

const label = 'gzip bytes of library + app code (React external)'

export const bundleSize: Scenario<Params> = {
  id: 8,
  key: 'bundle-size',
  title: 'Bundle size',
  params: { full: { runs: 1 }, quick: { runs: 1 } },
  async run({ from, progress }): Promise<Outcome> {
    progress(`bundling ${3 + peers.length} apps`)
    const [[chronicle, persisted, redux, ...others], withReact] = await asProduction(() =>
      Promise.all([
        Promise.all(['chronicle.tsx', 'reduxPersisted.tsx', 'redux.tsx', ...peers.map((peer) => peer.entry)].map((entry) => gzipSize(entry, from, false))),
        Promise.all(['chronicle.tsx', 'reduxPersisted.tsx', 'redux.tsx'].map((entry) => gzipSize(entry, from, true))),
      ]),
    )
    const details: Record<string, number> = {}
    peers.forEach((peer, i) => {
      details[`${peer.name} app, gzip bytes`] = others[i]!
      details[`${peer.name} app, Chronicle against it (ratio)`] = relative(chronicle!, others[i]!, 'lower')
    })
    details['with React: Chronicle app, gzip bytes'] = withReact[0]!
    details['with React: persisted Redux app, gzip bytes'] = withReact[1]!
    details['with React: in-memory Redux app, gzip bytes'] = withReact[2]!
    return {
      status: 'measured',
      metrics: [
        summarize({
          key: 'gzip-vs-persisted-redux',
          label: `${label}, against Redux with persistence, tab sync and undo`,
          unit: 'bytes',
          better: 'lower',
          chronicle: [chronicle!],
          baseline: [persisted!],
          baselineLabel: 'Redux Toolkit + react-redux + redux-persist (IndexedDB through idb-keyval) + redux-state-sync + redux-undo, what a Redux app adds to survive a reload, share state across tabs and undo',
          target: { kind: 'ratio', min: 1, text: 'smaller (>= 1.00x)' },
        }),
        summarize({
          key: 'gzip-vs-in-memory-redux',
          label: `${label}, against in-memory-only Redux`,
          unit: 'bytes',
          better: 'lower',
          chronicle: [chronicle!],
          baseline: [redux!],
          baselineLabel: 'Redux Toolkit + react-redux, in-memory only (loses its state on reload, no tabs, no undo)',
          // The issue's own target: kept in the report although the libraries the design fixes
          // (rxjs, immer, idb) weigh about as much as this whole app (docs/benchmarks.md, item 6).
          target: { kind: 'ratio', min: 1, text: 'smaller (>= 1.00x)' },
        }),
      ],
      details,
    }
  },
}
