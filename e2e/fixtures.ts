import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import { test as base, type Browser, type BrowserContext, type Page } from '@playwright/test'
import type { DemoSyncServer } from '../demo/server/syncServer'
import { demoOrigin } from './demoOrigin'

// The demo's end-to-end tests run the built app against real sync servers. Each test gets a sync
// server of its own (the demo's server, seeded, on a fresh SQLite file, in the test runner's
// process), so tests never see each other's changes; the app is pointed at it before its scripts
// run. A test that wants `pnpm demo`'s own server (behind the app's origin) opens a device
// without one.

const storageKey = 'chronicle-demo:sync-server'

/** Starts the demo's sync server from its build (the app's build script made it). */
async function startSyncServer(db: string): Promise<DemoSyncServer> {
  const built = pathToFileURL(resolve(import.meta.dirname, '../demo/dist-server/syncServer.js')).href
  const { startDemoSyncServer } = (await import(built)) as typeof import('../demo/server/syncServer')
  return startDemoSyncServer({ db, cors: [demoOrigin] })
}

/** Points every page of the context at the sync server `url` (what `?server=<url>` does). */
export async function useSyncServer(context: BrowserContext, url: string): Promise<void> {
  await context.addInitScript(([key, value]) => localStorage.setItem(key!, value!), [storageKey, url])
}

/** A second (or third) device: a browser context of its own, on `server` (default: `pnpm demo`'s own). */
export async function openDevice(browser: Browser, server?: DemoSyncServer): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: demoOrigin, viewport: { width: 1360, height: 860 }, serviceWorkers: 'allow' })
  if (server) await useSyncServer(context, server.url)
  return { context, page: await context.newPage() }
}

/** `test` with a sync server per test, which the default page and context use. */
export const test = base.extend<{ syncServer: DemoSyncServer }>({
  // eslint-disable-next-line no-empty-pattern
  syncServer: async ({}, use, testInfo) => {
    const server = await startSyncServer(testInfo.outputPath('sync.sqlite'))
    await use(server)
    await server.close()
  },
  context: async ({ context, syncServer }, use) => {
    await useSyncServer(context, syncServer.url)
    await use(context)
  },
})

export { expect } from '@playwright/test'
