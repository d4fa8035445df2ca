// Builds the workspace package in the current directory, as users install it:
// - ESM via Vite's library mode, one entry per subpath in package.json `exports` (and per `bin`);
//   every dependency stays external, so apps dedupe rxjs, idb, immer and react. An entry whose
//   source starts with a `'use client'` directive keeps it as the first line of its built file
//   (the bundler keeps an entry module's directives; the build checks that it did).
// - .d.ts files (with declaration maps into the shipped src) via tsc, then every relative import
//   in them gets the `.js` extension Node's ESM resolution wants: under `node16`/`nodenext` an
//   extensionless specifier in a .d.ts is an error (TS2834) and every type behind it silently
//   becomes `any`. The sources keep extensionless imports (what `bundler` resolution, Vite and
//   Vitest read); only the emitted declarations are rewritten, checked by resolving each one.
//
// The entries come from `exports`: each subpath is an object with a `@chronicle/source`
// condition (a file under src/) and `types` + `default` targets under dist/ that mirror it
// (`./src/storage/index.ts` -> `./dist/storage/index.d.ts` and `./dist/storage/index.js`).
// A subpath added there is built with no change here; a target that does not mirror its
// source fails the build with a message saying what to write.
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { dirname, join, relative, resolve } from 'node:path'
import { build } from 'vite'

const sourceCondition = '@chronicle/source'
const root = process.cwd()
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'))

/** `./src/a/b.ts(x)` -> `a/b`, the entry's name and its path under dist/ without extension. */
function entryName(source) {
  const match = /^\.\/src\/(.+)\.tsx?$/.exec(source)
  if (!match) throw new Error(`${pkg.name}: the "${sourceCondition}" condition must name a file under ./src/ ending in .ts or .tsx, got ${source}`)
  return match[1]
}

/** Every entry to build: name -> source file, from `exports` and `bin`. */
function entries() {
  /** @type {Record<string, string>} */
  const found = {}
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (typeof target === 'string') continue // e.g. "./package.json"
    const source = target[sourceCondition]
    if (typeof source !== 'string') throw new Error(`${pkg.name}: exports["${subpath}"] has no "${sourceCondition}" condition`)
    const name = entryName(source)
    const expected = { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` }
    const keys = Object.keys(target).filter((key) => key !== sourceCondition)
    const wanted = JSON.stringify({ [sourceCondition]: source, ...expected })
    if (keys.join() !== 'types,default' || target.types !== expected.types || target.default !== expected.default) {
      throw new Error(`${pkg.name}: exports["${subpath}"] should read ${wanted} (types first, default last, so import and require() both resolve)`)
    }
    found[name] = resolve(root, source)
  }
  for (const file of Object.values(typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : pkg.bin ?? {})) {
    const match = /^\.\/dist\/(.+)\.js$/.exec(file)
    if (!match) throw new Error(`${pkg.name}: bin ${file} should be ./dist/<name>.js built from ./src/<name>.ts`)
    found[match[1]] = resolve(root, `src/${match[1]}.ts`)
  }
  return found
}

/** True when the file's first statement is the `'use client'` directive. */
function isClientEntry(file) {
  const text = readFileSync(file, 'utf8').replace(/^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '')
  return /^(['"])use client\1/.test(text)
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* walk(path)
    else yield path
  }
}

/**
 * Gives every relative specifier in the emitted declarations its `.js` (or `/index.js`) ending,
 * resolved against the files tsc wrote; one that resolves to neither fails the build.
 */
function addDeclarationExtensions(dist) {
  const specifier = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g
  let rewritten = 0
  for (const file of walk(dist)) {
    if (!file.endsWith('.d.ts')) continue
    const text = readFileSync(file, 'utf8')
    const next = text.replace(specifier, (whole, lead, quote, path) => {
      if (/\.(js|mjs|cjs|json)$/.test(path)) return whole
      const base = resolve(dirname(file), path)
      const ending = existsSync(`${base}.d.ts`) ? '.js' : existsSync(join(base, 'index.d.ts')) ? '/index.js' : undefined
      if (!ending) throw new Error(`${relative(root, file)}: cannot resolve ${path} to an emitted declaration`)
      return `${lead}${quote}${path.replace(/\/$/, '')}${ending}${quote}`
    })
    if (next !== text) {
      writeFileSync(file, next)
      rewritten++
    }
  }
  return rewritten
}

const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]
const isExternal = (id) => id.startsWith('node:') || external.some((dep) => id === dep || id.startsWith(`${dep}/`))
const entry = entries()
const clientEntries = Object.keys(entry).filter((name) => isClientEntry(entry[name]))
const dist = resolve(root, 'dist')

rmSync(dist, { recursive: true, force: true })
await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: true,
    minify: false,
    target: 'es2022',
    lib: { entry, formats: ['es'], fileName: (_format, name) => `${name}.js` },
    rollupOptions: { external: isExternal },
  },
})
execFileSync(resolve(import.meta.dirname, '../node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--declarationMap'], { stdio: 'inherit', cwd: root })
addDeclarationExtensions(dist)
for (const name of Object.keys(entry)) {
  for (const file of [`${name}.js`, `${name}.d.ts`]) {
    if (!existsSync(join(dist, file))) throw new Error(`${pkg.name}: the build did not write dist/${file}`)
  }
}
// The bundler keeps an entry module's directives; Next.js needs 'use client' to stay first.
for (const name of clientEntries) {
  if (!isClientEntry(join(dist, `${name}.js`))) throw new Error(`${pkg.name}: dist/${name}.js lost its 'use client' directive`)
}
console.log(`built ${pkg.name} (${Object.keys(entry).join(', ')}${clientEntries.length ? `; 'use client': ${clientEntries.join(', ')}` : ''})`)
