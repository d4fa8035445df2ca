// Scenario 8 bundles its two apps as `vite build` does for production. These tests look at which
// modules end up in the bundles: no development builds, and no code for features the app does not
// use (sync, reactions). Sizes are the benchmark's business, not asserted here.
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { asProduction, benchRoot } from '../lib/browser'
import { bundleApp } from '../scenarios/bundle'

/** The ids of the modules that put code into the app's bundle. */
async function modulesOf(entry: string, withReact: boolean): Promise<string[]> {
  const chunks = await asProduction(() => bundleApp(entry, 'source', withReact))
  return chunks.flatMap((chunk) => Object.entries(chunk.modules).filter(([, module]) => module.renderedLength > 0).map(([id]) => id))
}

const coreModule = (name: string) => (id: string) => id.endsWith(`/packages/core/src/${name}.ts`)

describe("scenario 8's apps", () => {
  it('bundle production builds only: the production JSX runtime, React and use-sync-external-store', async () => {
    const [chronicle, redux] = await Promise.all([modulesOf('chronicle.tsx', true), modulesOf('redux.tsx', true)])
    for (const modules of [chronicle, redux]) {
      expect(modules.filter((id) => /development|jsx-dev-runtime/.test(id))).toEqual([])
      expect(modules.some((id) => id.includes('react-dom/cjs/react-dom-client.production'))).toBe(true)
    }
    expect(redux.some((id) => id.includes('use-sync-external-store-with-selector.production'))).toBe(true)
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
        "import { createStore, defineEvent, defineReaction, syncOutbox, type StandardSchemaV1 } from '@chronicle/core'",
        "const accept: StandardSchemaV1<{ id: string }> = { '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value: value as { id: string } }) } }",
        "const Added = defineEvent('Added', accept)",
        "const log = defineReaction({ name: 'log', events: [Added], on: { Added: () => undefined } })",
        "export const store = createStore({ name: 'app', commands: [], reactions: [log], sync: { outbox: syncOutbox, connect: () => { throw new Error('offline') } } })",
      ].join('\n'),
    )
    const synced = await modulesOf(full, false)
    for (const name of ['outbox', 'overlay', 'syncOutbox', 'reactions']) {
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
