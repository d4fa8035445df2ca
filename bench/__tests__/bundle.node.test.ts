// Scenario 8 bundles its apps as `vite build` does for production. These tests look at which
// modules end up in the bundles: no development builds, no code for features the app does not use
// (sync, reactions), and in each comparison app the libraries it stands for. Sizes are the
// benchmark's business, not asserted here.
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { asProduction, benchRoot } from '../lib/browser'
import { bundleApp, gzipSize } from '../scenarios/bundle'

/** The ids of the modules that put code into the app's bundle. */
async function modulesOf(entry: string, withReact: boolean): Promise<string[]> {
  const files = await asProduction(() => bundleApp(entry, 'source', withReact))
  return files.flatMap((file) => (file.type === 'chunk' ? Object.entries(file.modules).filter(([, module]) => module.renderedLength > 0).map(([id]) => id) : []))
}

const coreModule = (name: string) => (id: string) => id.endsWith(`/packages/core/src/${name}.ts`)

/** Each pattern must match a module of the bundle; the message names the pattern that did not. */
function expectModules(modules: readonly string[], patterns: readonly RegExp[]) {
  for (const pattern of patterns) expect(modules.some((id) => pattern.test(id)), `${pattern} in ${modules.length} modules`).toBe(true)
}

/** The comparison apps, each with modules its libraries must put into its bundle. */
const comparisons: Record<string, readonly RegExp[]> = {
  'reduxPersisted.tsx': [
    /\/node_modules\/@reduxjs\/toolkit\//,
    /\/node_modules\/react-redux\//,
    /\/node_modules\/redux-persist\/es\/persistReducer\.js$/,
    /\/node_modules\/redux-persist\/es\/persistStore\.js$/,
    /\/node_modules\/redux-persist\/es\/integration\/react\.js$/,
    /\/node_modules\/idb-keyval\//,
    /\/node_modules\/redux-state-sync\//,
    /\/node_modules\/broadcast-channel\//,
    /\/node_modules\/redux-undo\//,
  ],
  'dexie.tsx': [/\/node_modules\/dexie\/dist\/dexie\.js$/, /\/node_modules\/dexie-react-hooks\//],
  'tinybase.tsx': [/\/node_modules\/tinybase\/store\//, /\/node_modules\/tinybase\/persisters\/persister-indexed-db\//, /\/node_modules\/tinybase\/ui-react\//],
  'rxdb.tsx': [
    /\/node_modules\/rxdb\/dist\/esm\/rx-database\.js$/,
    /\/node_modules\/rxdb\/dist\/esm\/plugins\/storage-dexie\//,
    /\/node_modules\/rxdb\/dist\/esm\/plugins\/react\//,
    /\/node_modules\/dexie\/dist\//,
    /\/node_modules\/rxjs\//,
  ],
  'replicache.tsx': [/\/node_modules\/replicache\/out\//, /\/node_modules\/replicache-react\//],
}

describe("scenario 8's apps", () => {
  it('bundle production builds only: the production JSX runtime, React and use-sync-external-store', async () => {
    const [chronicle, redux] = await Promise.all([modulesOf('chronicle.tsx', true), modulesOf('redux.tsx', true)])
    for (const modules of [chronicle, redux]) {
      expect(modules.filter((id) => /development|jsx-dev-runtime/.test(id))).toEqual([])
      expect(modules.some((id) => id.includes('react-dom/cjs/react-dom-client.production'))).toBe(true)
    }
    expect(redux.some((id) => id.includes('use-sync-external-store-with-selector.production'))).toBe(true)
  }, 60_000)

  it('bundle production builds of every comparison app: no development builds, no jsxDEV, no RxDB dev-mode', async () => {
    for (const entry of Object.keys(comparisons)) {
      const files = await asProduction(() => bundleApp(entry, 'source', false))
      const modules = files.flatMap((file) => (file.type === 'chunk' ? Object.keys(file.modules) : []))
      expect(modules.filter((id) => /development|jsx-dev-runtime|\/plugins\/dev-mode\//.test(id)), entry).toEqual([])
      expect(files.filter((file) => file.type === 'chunk' && file.code.includes('jsxDEV')).map((file) => file.fileName), entry).toEqual([])
    }
  }, 120_000)

  it('bundle the libraries each comparison app stands for, and none of them in the in-memory Redux app', async () => {
    for (const [entry, patterns] of Object.entries(comparisons)) expectModules(await modulesOf(entry, false), patterns)
    const plain = await modulesOf('redux.tsx', false)
    expectModules(plain, [/\/node_modules\/@reduxjs\/toolkit\//, /\/node_modules\/react-redux\//])
    expect(plain.filter((id) => /\/node_modules\/(redux-persist|idb-keyval|redux-state-sync|broadcast-channel|redux-undo)\//.test(id))).toEqual([])
  }, 120_000)

  it('count the assets an app loads at run time (a wasm file here), not only its chunks', async () => {
    const dir = resolve(benchRoot, '.build/apps')
    mkdirSync(dir, { recursive: true })
    // 16 kB of random bytes: over Vite's 4 kB limit for inlining, so emitted as an asset, and incompressible.
    writeFileSync(resolve(dir, 'blob.wasm'), randomBytes(16_000))
    const app = resolve(dir, 'withWasm.ts')
    writeFileSync(app, "import url from './blob.wasm?url'\nexport const load = () => fetch(url)\n")
    const files = await asProduction(() => bundleApp(app, 'source', false))
    expect(files.filter((file) => file.type === 'asset' && file.fileName.endsWith('.wasm'))).toHaveLength(1)
    expect(await asProduction(() => gzipSize(app, 'source', false))).toBeGreaterThan(16_000)
  }, 60_000)

  it('leave sync and reactions out of a store without them, and bundle them for one with them', async () => {
    const minimal = await modulesOf('chronicle.tsx', false)
    // A store with a reaction and a sync connector: the modules must show up (the check can fail).
    const dir = resolve(benchRoot, '.build/apps')
    mkdirSync(dir, { recursive: true })
    const full = resolve(dir, 'synced.ts')
    writeFileSync(
      full,
      [
        "import { createStore, defineEvent, defineReaction, type StandardSchemaV1 } from '@chronicle/core'",
        "import { syncOutbox } from '@chronicle/core/sync'",
        "const accept: StandardSchemaV1<{ id: string }> = { '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value: value as { id: string } }) } }",
        "const Added = defineEvent('Added', accept)",
        "const log = defineReaction({ name: 'log', events: [Added], on: { Added: () => undefined } })",
        "export const store = createStore({ name: 'app', commands: [], reactions: [log], sync: { outbox: syncOutbox, connect: () => { throw new Error('offline') } } })",
      ].join('\n'),
    )
    const synced = await modulesOf(full, false)
    for (const name of ['sync/outbox', 'sync/overlay', 'sync/session', 'reactionRunner']) {
      expect(minimal.filter(coreModule(name)), name).toEqual([])
      expect(synced.filter(coreModule(name)), name).toHaveLength(1)
    }
    expect(minimal.filter(coreModule('store'))).toHaveLength(1)
  }, 60_000)

  it('take no rxjs operators and no subjects: core hands out Observables only', async () => {
    const minimal = await modulesOf('chronicle.tsx', false)
    expect(minimal.some((id) => id.includes('/rxjs/') && id.endsWith('/internal/Observable.js'))).toBe(true)
    expect(minimal.filter((id) => /\/rxjs\/.*\/(operators\/|firstValueFrom|Subject\.js|BehaviorSubject\.js)/.test(id))).toEqual([])
  }, 60_000)
})
