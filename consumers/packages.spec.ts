// Every packed tarball, checked the way a registry's users meet it: publint, Are the Types Wrong,
// and what the tarball holds (no tests, no workspace: ranges, maps beside the code, licence).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { repoRoot, run, tarballs } from './harness'

const bin = (name: string) => join(repoRoot, 'node_modules/.bin', name)
const names = readdirPackages()

/** The packages to check, read from the workspace (not from the tarballs, so none can go missing). */
function readdirPackages(): string[] {
  const list = execFileSync('git', ['ls-files', 'packages/*/package.json'], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n')
  return list
    .map((file) => JSON.parse(readFileSync(join(repoRoot, file), 'utf8')) as { name: string; private?: boolean })
    .filter((pkg) => !pkg.private)
    .map((pkg) => pkg.name)
}

function listTarball(file: string): string[] {
  return execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n').map((path) => path.replace(/^package\//, ''))
}

function readFromTarball(file: string, path: string): string {
  return execFileSync('tar', ['-xOzf', file, `package/${path}`], { encoding: 'utf8' })
}

for (const name of names) {
  test.describe(name, () => {
    const tarball = () => {
      const file = tarballs().get(name)
      if (!file) throw new Error(`no tarball for ${name}`)
      return file
    }

    test('publint finds nothing (strict)', async () => {
      const result = await run(bin('publint'), ['run', '--strict', tarball()], { cwd: repoRoot })
      expect(result.output, result.output).toContain('All good!')
      expect(result.code).toBe(0)
    })

    test('Are the Types Wrong finds nothing under node10, node16 (ESM) and bundler', async () => {
      // require() of an ES module is a feature of Node >= 20.19 (this package's engines) that attw
      // 0.18 does not know; node.spec.ts runs a real require() instead.
      const result = await run(bin('attw'), [tarball(), '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii'], { cwd: repoRoot })
      expect(result.code, result.output).toBe(0)
    })

    test('holds built code with maps, declarations with maps, the licence and a README, and no tests', () => {
      const files = listTarball(tarball())
      expect(files.filter((f) => /(__tests__|\.test\.|\.test-d\.|\.spec\.)/.test(f))).toEqual([])
      expect(files).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts']))
      for (const js of files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'))) {
        // A facade that only re-exports a shared chunk has no code of its own to map.
        const code = readFromTarball(tarball(), js).replace(/^export \{[^}]*\} from "[^"]+";\s*$/gm, '').trim()
        if (code) expect(files, js).toContain(`${js}.map`)
      }
      for (const dts of files.filter((f) => f.startsWith('dist/') && f.endsWith('.d.ts'))) expect(files).toContain(`${dts}.map`)
    })

    test('names real version ranges: no workspace protocol, siblings and React as caret peers', () => {
      const pkg = JSON.parse(readFromTarball(tarball(), 'package.json')) as Record<string, Record<string, string> | undefined>
      expect(JSON.stringify(pkg)).not.toContain('workspace:')
      for (const [dep, range] of Object.entries(pkg.peerDependencies ?? {})) {
        expect(range, `${dep}`).toMatch(/^\^\d/)
      }
      for (const dep of Object.keys(pkg.dependencies ?? {})) {
        expect(dep.startsWith('@chronicle/') || dep === 'react' || dep === 'react-dom', `${dep} belongs in peerDependencies`).toBe(false)
      }
    })
  })
}

test("the React-facing entry points start with 'use client'", () => {
  for (const name of ['@chronicle/react', '@chronicle/devtools']) {
    const file = tarballs().get(name)!
    expect(readFromTarball(file, 'dist/index.js').split('\n')[0], name).toBe('"use client";')
  }
  expect(readFromTarball(tarballs().get('@chronicle/core')!, 'dist/index.js')).not.toContain('use client')
})
