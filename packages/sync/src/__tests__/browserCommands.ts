// Commands the browser tests call in the Vitest process (`commands` from 'vitest/browser'):
// real sync server processes on loopback (the CLI built from source, with core's Kanban fixtures)
// and proxies in front of them that a test takes down, brings up, or makes flaky.
import { resolve } from 'node:path'
import type { BrowserCommand } from 'vitest/node'
import { buildTestServer } from '../../../server/src/__tests__/globalSetup.ts'
import { startFlakyProxy, type Fault, type FlakyProxy } from '../../../server/src/__tests__/flakyProxy.ts'
import { startServer, tempDir, type ServerProcess } from '../../../server/src/__tests__/serverProcess.ts'

// Inside the server package, so the bundle finds the server's dependencies (pg, better-sqlite3, ws).
const buildDir = resolve(import.meta.dirname, '../../../server/.test-build-browser')
let built: Promise<void> | undefined
const servers = new Map<string, { process: ServerProcess; remove(): void }>()
const links = new Map<string, FlakyProxy>()

/** What `setLink` changes: down (unreachable) or up, and how often each fault happens. */
export interface LinkState {
  readonly down?: boolean
  readonly faults?: Partial<Record<Fault, number>>
}

const link = (url: string) => {
  const proxy = links.get(url)
  if (!proxy) throw new Error(`No link at ${url}; open one with openLink()`)
  return proxy
}

const startSyncServer: BrowserCommand<[]> = async () => {
  built ??= buildTestServer(buildDir)
  await built
  const dir = tempDir('browser-sync')
  const server = await startServer({ db: `${dir.path}/data.sqlite` }, { cli: resolve(buildDir, 'cli.js'), domain: resolve(buildDir, 'kanban.js'), args: ['--cors', '*'] }).catch((error: unknown) => {
    dir.remove()
    throw error
  })
  servers.set(server.url, { process: server, remove: dir.remove })
  return server.url
}

const stopSyncServer: BrowserCommand<[url: string]> = async (_context, url) => {
  const server = servers.get(url)
  servers.delete(url)
  await server?.process.kill('SIGTERM')
  server?.remove()
}

const openLink: BrowserCommand<[target: string, seed?: number]> = async (_context, target, seed = 1) => {
  const proxy = await startFlakyProxy(target, { seed, weights: { pass: 1, 'drop-before': 0, 'error-before': 0, 'drop-after': 0, 'error-after': 0, slow: 0 } })
  links.set(proxy.url, proxy)
  return proxy.url
}

const setLink: BrowserCommand<[url: string, state: LinkState]> = (_context, url, state) => {
  const proxy = link(url)
  if (state.faults) proxy.setWeights(state.faults)
  if (state.down !== undefined) proxy.setDown(state.down)
}

const linkStats: BrowserCommand<[url: string]> = (_context, url) => ({ ...link(url).stats })

const closeLink: BrowserCommand<[url: string]> = async (_context, url) => {
  const proxy = links.get(url)
  links.delete(url)
  await proxy?.close()
}

/** Registered on the browser project in vite.config.ts. */
export const syncCommands = { startSyncServer, stopSyncServer, openLink, setLink, linkStats, closeLink }

// A run that ends early (a failed hook, Ctrl-C) leaves no server process behind.
process.once('exit', () => {
  for (const { process: server } of servers.values()) server.child.kill('SIGKILL')
})

declare module 'vitest/browser' {
  interface BrowserCommands {
    /** Starts a sync server process with the Kanban domain; resolves with its URL. */
    startSyncServer: () => Promise<string>
    stopSyncServer: (url: string) => Promise<void>
    /** A proxy to `target` that passes everything until told otherwise; resolves with its URL. */
    openLink: (target: string, seed?: number) => Promise<string>
    setLink: (url: string, state: LinkState) => Promise<void>
    linkStats: (url: string) => Promise<Record<Fault, number>>
    closeLink: (url: string) => Promise<void>
  }
}
