// Commands the browser tests call in the Vitest process (`commands` from 'vitest/browser'):
// real sync server processes on loopback (the CLI built from source, with core's Kanban fixtures)
// and proxies in front of them that a test takes down, brings up, or makes flaky.
import { readFileSync } from 'node:fs'
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

const startSyncServer: BrowserCommand<[options?: { readonly maxHeapMb?: number }]> = async (_context, options = {}) => {
  built ??= buildTestServer(buildDir)
  await built
  const dir = tempDir('browser-sync')
  const server = await startServer(
    { db: `${dir.path}/data.sqlite` },
    {
      cli: resolve(buildDir, 'cli.js'),
      domain: resolve(buildDir, 'kanban.js'),
      args: ['--cors', '*'],
      ...(options.maxHeapMb ? { nodeArgs: [`--max-old-space-size=${options.maxHeapMb}`] } : {}),
    },
  ).catch((error: unknown) => {
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

/**
 * A server process's resident memory (VmRSS, from /proc on Linux), in bytes. Rejects, with what it
 * printed, when the process is no longer running (it ran out of memory, or crashed).
 */
const serverMemory: BrowserCommand<[url: string]> = (_context, url) => {
  const server = servers.get(url)
  if (!server) throw new Error(`No server at ${url}`)
  const { child } = server.process
  if (child.exitCode !== null || child.signalCode !== null) throw new Error(`The server at ${url} exited (${child.exitCode ?? child.signalCode}):\n${server.process.output().slice(-2000)}`)
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]
  if (!kb) throw new Error(`No VmRSS in /proc/${child.pid}/status`)
  return Number(kb) * 1024
}

/** How many commands the soak test runs: `CHRONICLE_SOAK_COMMANDS` (`pnpm soak` sets 100,000), else 20,000. */
const soakCommands: BrowserCommand<[]> = () => {
  const n = Number(process.env.CHRONICLE_SOAK_COMMANDS ?? 20_000)
  if (!Number.isInteger(n) || n < 1) throw new Error(`CHRONICLE_SOAK_COMMANDS must be a positive integer, got ${process.env.CHRONICLE_SOAK_COMMANDS}`)
  return n
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
export const syncCommands = { startSyncServer, stopSyncServer, serverMemory, soakCommands, openLink, setLink, linkStats, closeLink }

// A run that ends early (a failed hook, Ctrl-C) leaves no server process behind.
process.once('exit', () => {
  for (const { process: server } of servers.values()) server.child.kill('SIGKILL')
})

declare module 'vitest/browser' {
  interface BrowserCommands {
    /** Starts a sync server process with the Kanban domain (its V8 heap capped at `maxHeapMb`); resolves with its URL. */
    startSyncServer: (options?: { readonly maxHeapMb?: number }) => Promise<string>
    stopSyncServer: (url: string) => Promise<void>
    /** The server process's resident memory in bytes; rejects when it is no longer running. */
    serverMemory: (url: string) => Promise<number>
    /** Commands the soak test runs (CHRONICLE_SOAK_COMMANDS, default 20,000). */
    soakCommands: () => Promise<number>
    /** A proxy to `target` that passes everything until told otherwise; resolves with its URL. */
    openLink: (target: string, seed?: number) => Promise<string>
    setLink: (url: string, state: LinkState) => Promise<void>
    linkStats: (url: string) => Promise<Record<Fault, number>>
    closeLink: (url: string) => Promise<void>
  }
}
