// Builds every package once and packs it into a temporary folder outside the repository, where the
// consumer apps install from (tarballs/chronicle-<name>.tgz, so apps name them without a version).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, runOk } from './harness'

export default async function globalSetup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'chronicle-consumers-'))
  const tarballs = join(dir, 'tarballs')
  mkdirSync(tarballs)
  await runOk('pnpm', ['build'], { cwd: repoRoot })
  for (const name of readdirSync(join(repoRoot, 'packages'))) {
    const packageDir = join(repoRoot, 'packages', name)
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name: string; version: string; private?: boolean }
    if (pkg.private) continue
    await runOk('pnpm', ['pack', '--pack-destination', tarballs], { cwd: packageDir })
    renameSync(join(tarballs, `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}.tgz`), join(tarballs, `chronicle-${name}.tgz`))
  }
  process.env.CHRONICLE_CONSUMERS_DIR = dir
  return () => {
    // CHRONICLE_CONSUMERS_KEEP=1 keeps the installed apps for a look after the run.
    if (!process.env.CHRONICLE_CONSUMERS_KEEP) rmSync(dir, { recursive: true, force: true })
  }
}
