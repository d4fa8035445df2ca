import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain ES module script without declarations
import { addChange, nextVersion, readChanges, release } from '../release.mjs'

const repo = resolve(import.meta.dirname, '../..')
const dirs: string[] = []

/** A copy of the repository's package.json files and CHANGELOG.md in a temporary folder. */
function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'chronicle-release-'))
  dirs.push(root)
  for (const name of readdirSync(join(repo, 'packages'))) {
    if (!existsSync(join(repo, 'packages', name, 'package.json'))) continue
    mkdirSync(join(root, 'packages', name), { recursive: true })
    cpSync(join(repo, 'packages', name, 'package.json'), join(root, 'packages', name, 'package.json'))
  }
  mkdirSync(join(root, 'packages', 'private-tool'))
  writeFileSync(join(root, 'packages', 'private-tool', 'package.json'), JSON.stringify({ name: 'tool', private: true, version: '9.9.9' }))
  cpSync(join(repo, 'CHANGELOG.md'), join(root, 'CHANGELOG.md'))
  return root
}

const versionOf = (root: string, name: string) => (JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as { version: string }).version

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('release', () => {
  it('reads 0.x bumps the usual way: breaking and features raise the minor, fixes the patch', () => {
    expect(nextVersion('0.1.0', 'patch')).toBe('0.1.1')
    expect(nextVersion('0.1.3', 'minor')).toBe('0.2.0')
    expect(nextVersion('0.1.3', 'major')).toBe('0.2.0')
    expect(nextVersion('1.2.3', 'major')).toBe('2.0.0')
    expect(nextVersion('1.2.3', 'minor')).toBe('1.3.0')
    expect(() => nextVersion('1.0.0-beta.1', 'patch')).toThrow(/plain x.y.z/)
  })

  it('bumps every public package together by the largest note, records the notes, and deletes them', () => {
    const root = fixture()
    const before = versionOf(root, 'core')
    addChange(root, 'patch', 'useCommand keeps its identity', new Date('2027-01-02T00:00:00Z'))
    addChange(root, 'minor', 'A new hook:\nuseHistory', new Date('2027-01-03T00:00:00Z'))
    expect(readChanges(root)).toHaveLength(2)

    const result = release(root, { date: new Date('2027-01-04T00:00:00Z') })
    expect(result.version).toBe(nextVersion(before, 'minor'))
    for (const name of ['core', 'react', 'sync', 'server', 'devtools']) expect(versionOf(root, name)).toBe(result.version)
    expect(versionOf(root, 'private-tool')).toBe('9.9.9')
    const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8')
    expect(changelog).toContain(`<!-- release:next -->\n\n## ${result.version} (2027-01-04)\n\n- useCommand keeps its identity\n- A new hook:\n  useHistory\n`)
    expect(changelog.indexOf(`## ${result.version}`)).toBeLessThan(changelog.indexOf(`## ${before}`))
    expect(readChanges(root)).toEqual([])
  })

  it('changes nothing on a dry run, and refuses without notes or with packages at different versions', () => {
    const root = fixture()
    const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8')
    expect(() => release(root)).toThrow(/no change notes/)
    addChange(root, 'patch', 'A fix')
    const dry = release(root, { dryRun: true })
    expect(dry.packages).toContain('@chronicle/core')
    expect(readFileSync(join(root, 'CHANGELOG.md'), 'utf8')).toBe(changelog)
    expect(readChanges(root)).toHaveLength(1)

    const file = join(root, 'packages', 'react', 'package.json')
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), version: '5.0.0' }))
    expect(() => release(root)).toThrow(/different versions/)
  })

  it('refuses a note without a valid bump', () => {
    const root = fixture()
    expect(() => addChange(root, 'huge', 'x')).toThrow(/patch, minor, major/)
    expect(() => addChange(root, 'patch', ' ')).toThrow(/say what changed/)
    mkdirSync(join(root, '.changes'), { recursive: true })
    writeFileSync(join(root, '.changes', 'bad.md'), 'no header')
    expect(() => readChanges(root)).toThrow(/bad.md should start/)
  })
})
