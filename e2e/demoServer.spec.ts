// The demo's server command line (`node demo/dist-server/main.js`, which `pnpm demo` runs): usage
// instead of a stack trace, and a rate limit set by flag or environment. The build is the one the
// Playwright web server made for the other tests.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { expect, test } from '@playwright/test'

const main = resolve(import.meta.dirname, '../demo/dist-server/main.js')
const token = 'demo-token-ada'

/** Runs main.js to its end (for options that never start a server). */
function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Starts the sync server alone on a fresh database; resolves with its URL and a stop function. */
async function startSyncOnly(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'demo-server-'))
  const child = spawn(process.execPath, [main, '--sync-only', '--db', join(dir, 'kanban.sqlite'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo sync server did not start: ${output}`)), 30_000)
    const read = (chunk: Buffer) => {
      output += String(chunk)
      const match = /sync server on (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolveUrl(match[1]!)
      }
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.on('exit', () => reject(new Error(`the demo sync server exited: ${output}`)))
  })
  const stop = async () => {
    const exited = new Promise((done) => child.once('exit', done))
    child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
  return { url, output: () => output, stop }
}

/** Pushes `count` commands (of an unknown type: the rate limit counts them before they run). */
async function push(url: string, count: number) {
  const commands = Array.from({ length: count }, (_, i) => ({ commandId: `rate-${Date.now()}-${Math.random()}-${i}`, type: 'noSuchCommand', payload: null, at: Date.now() }))
  const response = await fetch(`${url}/v1/push`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: 2, clientId: 'rate-test', lastConfirmed: 0, commands }),
  })
  return { status: response.status, body: (await response.json()) as { error?: { code: string } } }
}

test.describe('the demo server command line', () => {
  test('--help prints the usage and exits 0', () => {
    const help = run(['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('Usage: node dist-server/main.js')
    for (const option of ['--db', '--sync-only', '--rate', '--burst', 'DEMO_RATE']) expect(help.stdout).toContain(option)
    expect(run(['-h']).stdout).toBe(help.stdout)
  })

  test('an unknown option or a bad number gets the usage and exit code 2, not a stack trace', () => {
    for (const [args, env, message] of [
      [['--bogus'], {}, "Unknown option '--bogus'"],
      [['--rate', 'fast'], {}, '--rate must be a non-negative integer'],
      [[], { DEMO_RATE: '-3' }, '--rate must be a non-negative integer'],
      [['--burst', '0'], {}, '--burst must be at least 1'],
    ] as const) {
      const result = run([...args], env)
      expect(result.status).toBe(2)
      expect(result.stderr).toContain(message)
      expect(result.stderr).toContain('Usage:')
      expect(result.stderr).not.toMatch(/^\s+at /m)
    }
  })

  test('the rate limit is set by --rate and --burst, or by DEMO_RATE and DEMO_BURST', async () => {
    for (const [args, env] of [
      [['--rate', '1', '--burst', '3'], {}],
      [[], { DEMO_RATE: '1', DEMO_BURST: '3' }],
    ] as const) {
      const server = await startSyncOnly([...args], env)
      try {
        expect(server.output()).toContain('1 commands/s per person, bursts of 3')
        expect((await push(server.url, 3)).status).toBe(200)
        const limited = await push(server.url, 1)
        expect([limited.status, limited.body.error?.code]).toEqual([429, 'rate-limited'])
        // The largest push fits in one burst.
        const tooMany = await push(server.url, 4)
        expect([tooMany.status, tooMany.body.error?.code]).toEqual([413, 'payload-too-large'])
      } finally {
        await server.stop()
      }
    }
    const unlimited = await startSyncOnly(['--rate', '0'])
    try {
      expect(unlimited.output()).toContain('no rate limit')
      for (let i = 0; i < 3; i++) expect((await push(unlimited.url, 500)).status).toBe(200)
    } finally {
      await unlimited.stop()
    }
  })
})
