// The release flow: every package is released together, at one version.
//
//   node scripts/release.mjs change <patch|minor|major> "What changed, for users"
//       writes .changes/<date>-<slug>.md, committed with the change it describes
//   node scripts/release.mjs version [--dry-run]
//       bumps every public package in packages/ to the next version (the largest bump of the
//       notes; in 0.x `major` and `minor` both raise the minor), writes the notes into
//       CHANGELOG.md under that version and deletes them
//
// Sibling packages name each other as `workspace:^` peers, which `pnpm pack`/`pnpm publish`
// turn into `^<version>`, so nothing else changes at a release.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const bumps = ['patch', 'minor', 'major']
const marker = '<!-- release:next -->'

/** The version after `version` for a bump, with 0.x's reading (a breaking change raises the minor). */
export function nextVersion(version, bump) {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version)
  if (!match) throw new Error(`cannot bump ${version}: only plain x.y.z versions are released`)
  const [major, minor, patch] = match.slice(1).map(Number)
  if (bump === 'major') return major === 0 ? `0.${minor + 1}.0` : `${major + 1}.0.0`
  if (bump === 'minor') return `${major}.${minor + 1}.0`
  if (bump === 'patch') return `${major}.${minor}.${patch + 1}`
  throw new Error(`unknown bump ${bump}: use ${bumps.join(', ')}`)
}

/** Writes a change note; returns its path. */
export function addChange(root, bump, text, now = new Date()) {
  if (!bumps.includes(bump)) throw new Error(`the bump must be one of ${bumps.join(', ')}, got ${bump}`)
  if (!text?.trim()) throw new Error('say what changed, for users: release.mjs change minor "What changed"')
  const dir = join(root, '.changes')
  mkdirSync(dir, { recursive: true })
  const slug = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)
  const file = join(dir, `${now.toISOString().slice(0, 10)}-${slug}.md`)
  writeFileSync(file, `---\nbump: ${bump}\n---\n\n${text.trim()}\n`)
  return file
}

/** The change notes under .changes/, oldest first. */
export function readChanges(root) {
  const dir = join(root, '.changes')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md') && name !== 'README.md')
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8')
      const match = /^---\nbump: (patch|minor|major)\n---\n+([\s\S]*)$/.exec(text)
      if (!match) throw new Error(`.changes/${name} should start with ---, "bump: patch|minor|major", ---, then the note`)
      return { file: join(dir, name), bump: match[1], text: match[2].trim() }
    })
}

/** The public packages of the workspace: folder and parsed package.json. */
export function publicPackages(root) {
  return readdirSync(join(root, 'packages'))
    .map((name) => ({ file: join(root, 'packages', name, 'package.json') }))
    .filter(({ file }) => existsSync(file))
    .map(({ file }) => ({ file, pkg: JSON.parse(readFileSync(file, 'utf8')) }))
    .filter(({ pkg }) => !pkg.private)
}

/** Bumps every public package and records the notes in CHANGELOG.md; returns the new version. */
export function release(root, { dryRun = false, date = new Date() } = {}) {
  const changes = readChanges(root)
  if (changes.length === 0) throw new Error('no change notes in .changes/: add one with `pnpm run change <bump> "note"`')
  const packages = publicPackages(root)
  const versions = new Set(packages.map(({ pkg }) => pkg.version))
  if (versions.size !== 1) throw new Error(`the packages are at different versions (${[...versions].join(', ')}); set them to one first`)
  const bump = bumps[Math.max(...changes.map((change) => bumps.indexOf(change.bump)))]
  const version = nextVersion([...versions][0], bump)

  const changelogFile = join(root, 'CHANGELOG.md')
  const changelog = readFileSync(changelogFile, 'utf8')
  if (!changelog.includes(marker)) throw new Error(`CHANGELOG.md has lost its ${marker} line; put it back above the newest release`)
  const notes = changes.map((change) => `- ${change.text.replace(/\n/g, '\n  ')}`).join('\n')
  const section = `${marker}\n\n## ${version} (${date.toISOString().slice(0, 10)})\n\n${notes}\n`
  if (dryRun) return { version, bump, section, packages: packages.map(({ pkg }) => pkg.name) }

  for (const { file, pkg } of packages) writeFileSync(file, `${JSON.stringify({ ...pkg, version }, null, 2)}\n`)
  writeFileSync(changelogFile, changelog.replace(marker, section))
  for (const change of changes) rmSync(change.file)
  return { version, bump, section, packages: packages.map(({ pkg }) => pkg.name) }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(import.meta.dirname, '..')
  const [command, ...rest] = process.argv.slice(2)
  try {
    if (command === 'change') {
      console.log(`wrote ${addChange(root, rest[0], rest.slice(1).join(' '))}`)
    } else if (command === 'version') {
      const dryRun = rest.includes('--dry-run')
      const result = release(root, { dryRun })
      console.log(`${dryRun ? 'would release' : 'released'} ${result.version} (${result.bump}) of ${result.packages.join(', ')}\n\n${result.section}`)
    } else {
      console.error('usage: release.mjs change <patch|minor|major> "note" | release.mjs version [--dry-run]')
      process.exit(2)
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  }
}
