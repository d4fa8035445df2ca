// What the benchmark ran on: machine, browser, and the versions of the packages that matter.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus, release, totalmem, type } from 'node:os'
import { resolve } from 'node:path'
import type { PackageSource } from './browser'
import type { Environment } from './results'

const root = resolve(import.meta.dirname, '../..')

/** Packages whose versions a reader of the results needs, and the folder that depends on them. */
const packages: readonly [string, string][] = [
  ['@chronicle/core', 'packages/core'],
  ['@chronicle/react', 'packages/react'],
  ['rxjs', 'packages/core'],
  ['idb', 'packages/core'],
  ['immer', 'packages/core'],
  ['react', '.'],
  ['react-dom', '.'],
  ['valibot', '.'],
  ['@reduxjs/toolkit', '.'],
  ['react-redux', '.'],
  ['redux-persist', '.'],
  ['idb-keyval', '.'],
  ['redux-state-sync', '.'],
  ['redux-undo', '.'],
  ['dexie', '.'],
  ['dexie-react-hooks', '.'],
  ['tinybase', '.'],
  ['rxdb', '.'],
  ['replicache', '.'],
  ['replicache-react', '.'],
  ['vite', '.'],
  ['playwright', '.'],
]

function versionOf(name: string, from: string): string {
  if (name.startsWith('@chronicle/')) {
    const own = resolve(root, from, 'package.json')
    return (JSON.parse(readFileSync(own, 'utf8')) as { version: string }).version
  }
  for (const dir of [resolve(root, from), root]) {
    const file = resolve(dir, 'node_modules', name, 'package.json')
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
  }
  return 'unknown'
}

function osName(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]
    if (pretty) return `${pretty} (${type()} ${release()})`
  } catch {
    // not Linux, or no os-release: the kernel's name will do
  }
  return `${type()} ${release()}`
}

function commit(): string | undefined {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== ''
    return dirty ? `${hash} (with uncommitted changes)` : hash
  } catch {
    return undefined
  }
}

/** Describes this machine and run. */
export function describeEnvironment(browser: string, from: PackageSource): Environment {
  const cores = cpus()
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: osName(),
    node: process.version,
    browser: `${browser} (headless)`,
    from,
    commit: commit(),
    packages: Object.fromEntries(packages.map(([name, from]) => [name, versionOf(name, from)])),
  }
}
