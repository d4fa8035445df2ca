// Writes the API reference, docs/api/, from the TSDoc of every public package's entry points (each
// subpath in its package.json `exports`, through the `@chronicle/source` condition), with TypeDoc
// and its Markdown plugin. Run `pnpm docs:api` after changing a public export or its TSDoc.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Application } from 'typedoc'

const root = resolve(import.meta.dirname, '../..')
const out = join(root, 'docs/api')

const entryPoints = []
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const file = join(root, 'packages', name, 'package.json')
  if (!existsSync(file)) continue
  const pkg = JSON.parse(readFileSync(file, 'utf8'))
  if (pkg.private) continue
  for (const target of Object.values(pkg.exports ?? {})) {
    if (typeof target === 'object' && target['@chronicle/source']) entryPoints.push(join(root, 'packages', name, target['@chronicle/source']))
  }
}

rmSync(out, { recursive: true, force: true })
const app = await Application.bootstrapWithPlugins({
  entryPoints,
  entryPointStrategy: 'resolve',
  tsconfig: join(import.meta.dirname, 'tsconfig.json'),
  plugin: ['typedoc-plugin-markdown'],
  out,
  name: 'Chronicle API reference',
  readme: 'none',
  excludePrivate: true,
  excludeInternal: true,
  excludeExternals: true,
  disableSources: true,
  hideGenerator: true,
  validation: { notExported: false, invalidLink: true, notDocumented: false },
  logLevel: 'Warn',
})
const project = await app.convert()
if (!project) throw new Error('TypeDoc could not read the packages (see the errors above)')
// TypeDoc names a module after its path (`core/src`, `core/src/storage/index`); name it after the
// import users write instead (`@chronicle/core`, `@chronicle/core/storage`).
for (const module of project.children ?? []) {
  const match = /^([\w-]+)\/src(?:\/(.+?))?(?:\/index)?$/.exec(module.name)
  if (match) module.name = `@chronicle/${match[1]}${match[2] && match[2] !== 'index' ? `/${match[2]}` : ''}`
}
await app.generateOutputs(project)
if (app.logger.hasErrors()) process.exit(1)
console.log(`wrote ${out} (${entryPoints.length} entry points)`)
