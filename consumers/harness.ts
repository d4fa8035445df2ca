// Helpers for the consumer suite: apps outside the workspace that install the packed tarballs,
// as a user's app installs them from a registry. `globalSetup.ts` builds and packs the packages
// once into a temporary folder; each spec copies its app from consumers/apps/ beside the
// tarballs there and installs it with pnpm, preferring the packages already in the store.
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'

export const repoRoot = resolve(import.meta.dirname, '..')
const appsDir = resolve(import.meta.dirname, 'apps')

/** The folder globalSetup made for this run; tarballs are in its `tarballs/`. */
export function workDir(): string {
  const dir = process.env.CHRONICLE_CONSUMERS_DIR
  if (!dir || !existsSync(dir)) throw new Error('CHRONICLE_CONSUMERS_DIR is not set: run this suite with -c consumers/playwright.config.ts')
  return dir
}

/** The packed tarballs, by package name (`@chronicle/core` -> its .tgz path). */
export function tarballs(): Map<string, string> {
  const dir = join(workDir(), 'tarballs')
  return new Map(readdirSync(dir).filter((f) => f.endsWith('.tgz')).map((f) => [`@chronicle/${f.replace(/^chronicle-|\.tgz$/g, '')}`, join(dir, f)]))
}

export interface RunResult {
  readonly code: number | null
  readonly output: string
}

/** Runs a command to its end; resolves with its exit code and its stdout + stderr. */
export function run(command: string, args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolvePromise({ code, output }))
  })
}

/** Runs a command and throws with the end of its output unless it exits 0. */
export async function runOk(command: string, args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<string> {
  const result = await run(command, args, options)
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code} in ${options.cwd}:\n${result.output.slice(-6000)}`)
  return result.output
}

/** Another folder name and other dependency versions for a variant of an app (React 18.3). */
export interface AppVariant {
  readonly as: string
  readonly versions: Readonly<Record<string, string>>
}

/**
 * Copies consumers/apps/<name> (and the shared domain and component, consumers/apps/shared, into
 * its `sourceDir`) into this run's folder and installs it. Its package.json names the tarballs as
 * `file:../tarballs/<name>.tgz`; a variant changes the versions of some of its dependencies.
 */
export async function installApp(name: string, sourceDir: string, variant?: AppVariant): Promise<string> {
  const dir = join(workDir(), variant?.as ?? name)
  cpSync(join(appsDir, name), dir, { recursive: true })
  cpSync(join(appsDir, 'shared'), join(dir, sourceDir), { recursive: true })
  if (variant) {
    const file = join(dir, 'package.json')
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string> | undefined>
    for (const [dependency, version] of Object.entries(variant.versions)) {
      const section = [pkg.dependencies, pkg.devDependencies].find((deps) => deps && dependency in deps)
      if (!section) throw new Error(`${name} has no dependency ${dependency} to change`)
      section[dependency] = version
    }
    writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`)
  }
  await runOk('pnpm', ['install', '--prefer-offline', '--reporter=append-only'], { cwd: dir })
  return dir
}

/** A TCP port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolvePromise(address.port) : reject(new Error('no port'))))
    })
  })
}

/** A server process started by `serve`; `stop()` ends it (and its children). */
export interface Served {
  readonly url: string
  stop(): Promise<void>
}

/** Starts a long-running server command and waits until `url` answers (or the process dies). */
export async function serve(command: string, args: readonly string[], options: { cwd: string; url: string; env?: Record<string, string>; timeout?: number }): Promise<Served> {
  const child: ChildProcess = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolvePromise) => child.on('exit', () => resolvePromise()))
  const stop = async () => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM')
    await exited
  }
  const deadline = Date.now() + (options.timeout ?? 30_000)
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited ${child.exitCode}:\n${output.slice(-4000)}`)
    try {
      const response = await fetch(options.url)
      if (response.ok) return { url: options.url, stop }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  await stop()
  throw new Error(`${options.url} did not answer in time:\n${output.slice(-4000)}`)
}
