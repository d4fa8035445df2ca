// Real server processes: the CLI bundle from globalSetup, spawned with plain node on loopback.
// Node built-ins only, so the browser tests' commands (loaded with the Vite config) can use it too.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { testBuildDir } from './globalSetup.ts'

export const cliPath = resolve(testBuildDir, 'cli.js')
export const domainPath = resolve(testBuildDir, 'domain.js')
/** Core's Kanban fixtures as a domain module (see kanban.ts). */
export const kanbanDomainPath = resolve(testBuildDir, 'kanban.js')
/** The sync handler mounted in an app's own server (see mountedServer.ts); pass as `cli`, with `--mount node|hono`. */
export const mountedServerPath = resolve(testBuildDir, 'mounted.js')

/** A running `chronicle-server` process. */
export interface ServerProcess {
  readonly url: string
  readonly port: number
  readonly child: ChildProcess
  /** Everything it printed so far. */
  output(): string
  /** Sends a signal and resolves with the exit code (null when killed by the signal). */
  kill(signal: NodeJS.Signals): Promise<number | null>
}

/** Where a server keeps its log: an SQLite file or a PostgreSQL URL. */
export type StoreArgs = { readonly db: string } | { readonly postgres: string }

/**
 * Starts `chronicle-server` (by default the test build's, with the shared-lists domain) and waits
 * for its "listening" line.
 */
export async function startServer(store: StoreArgs, options: { port?: number; args?: readonly string[]; cli?: string; domain?: string; nodeArgs?: readonly string[] } = {}): Promise<ServerProcess> {
  const args = [
    ...(options.nodeArgs ?? []),
    options.cli ?? cliPath,
    '--domain',
    options.domain ?? domainPath,
    ...('db' in store ? ['--db', store.db] : ['--postgres', store.postgres]),
    '--port',
    String(options.port ?? 0),
    '--host',
    '127.0.0.1',
    '--rate',
    '0',
    ...(options.args ?? []),
  ]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)))
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match) resolveUrl(match[1]!)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    void exited.then((code) => reject(new Error(`chronicle-server exited with ${code} before listening:\n${output}`)))
  })
  return {
    url,
    port: Number(new URL(url).port),
    child,
    output: () => output,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

/** A temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `chronicle-${prefix}-`))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

