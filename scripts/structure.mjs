// `node scripts/structure.mjs`: the shape checks of issue #17 over every package's source (tests
// aside): no file over 400 lines, no function over 120 lines, no import circle inside a package,
// TSDoc on every name a package's entry points export. Prints what breaks them; exits 1 if any.
// Parsing uses rolldown's parser (Vite's own dependency), so no TypeScript compiler API is needed.
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const fromVite = createRequire(createRequire(join(root, 'package.json')).resolve('vite'))
const { parseAst } = await import(fromVite.resolve('rolldown/parseAst'))

export const limits = { fileLines: 400, functionLines: 120 }

const isSource = (file) => /\.tsx?$/.test(file) && !/\.d\.ts$/.test(file) && !file.includes('__tests__')
function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path, out)
    else if (isSource(path)) out.push(path)
  }
  return out
}

const lineOf = (text, offset) => {
  let line = 1
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

function parse(file) {
  const text = readFileSync(file, 'utf8')
  return { text, ast: parseAst(text, { lang: file.endsWith('x') ? 'tsx' : 'ts' }) }
}

/** Every function in a tree with its name (when it has one) and its length in lines. */
function functions(node, text, out = [], name = undefined) {
  if (!node || typeof node !== 'object') return out
  if (Array.isArray(node)) {
    for (const child of node) functions(child, text, out)
    return out
  }
  const isFunction = node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression'
  if (isFunction && node.body) {
    const lines = lineOf(text, node.end) - lineOf(text, node.start) + 1
    out.push({ name: node.id?.name ?? name ?? '(anonymous)', line: lineOf(text, node.start), lines })
  }
  for (const [key, child] of Object.entries(node)) {
    if (key === 'start' || key === 'end' || !child || typeof child !== 'object') continue
    const childName =
      node.type === 'VariableDeclarator' && key === 'init' ? node.id?.name
      : (node.type === 'Property' || node.type === 'MethodDefinition' || node.type === 'PropertyDefinition') && key === 'value' ? node.key?.name
      : undefined
    functions(child, text, out, childName)
  }
  return out
}

const relativeImports = (ast) =>
  ast.body
    .filter((n) => (n.type === 'ImportDeclaration' || ((n.type === 'ExportNamedDeclaration' || n.type === 'ExportAllDeclaration') && n.source)) && n.source.value.startsWith('.'))
    .map((n) => n.source.value)

function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec.replace(/\.js$/, ''))
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) if (existsSync(candidate)) return candidate
  return undefined
}

/** Import circles among one package's files (each reported once, by its smallest member first). */
function circles(graph) {
  const found = new Map()
  const state = new Map()
  const stack = []
  const visit = (file) => {
    state.set(file, 'open')
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next))
        const start = cycle.indexOf([...cycle].sort()[0])
        const key = [...cycle.slice(start), ...cycle.slice(0, start)]
        found.set(key.join(' -> '), key)
      } else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return [...found.values()]
}

/** The names a package's entry points export, each with the file and declaration that defines it. */
function undocumentedExports(pkgDir, entries) {
  const missing = []
  const seen = new Set()
  const check = (file, name, via) => {
    const key = `${file}#${name}`
    if (seen.has(key)) return
    seen.add(key)
    const { text, ast } = parse(file)
    for (const node of ast.body) {
      if (node.type === 'ExportNamedDeclaration' && node.declaration) {
        const d = node.declaration
        const names = d.type === 'VariableDeclaration' ? d.declarations.map((x) => x.id.name) : [d.id?.name]
        if (!names.includes(name)) continue
        const before = text.slice(0, node.start).trimEnd()
        if (!before.endsWith('*/') || before.lastIndexOf('/**') < before.lastIndexOf('*/', before.length - 3)) {
          missing.push(`${relative(root, file)}:${lineOf(text, node.start)} ${name} (exported by ${via})`)
        }
        return
      }
      if (node.type === 'ExportNamedDeclaration' && node.source) {
        for (const s of node.specifiers) {
          const exported = s.exported.name ?? s.exported.value
          if (exported !== name) continue
          const target = resolveImport(file, node.source.value)
          if (target) check(target, s.local.name ?? s.local.value, via)
          return
        }
      }
    }
    // Imported and re-exported by name (`import { x } from './a'; export { x }`), or an overload set: follow imports.
    for (const node of ast.body) {
      if (node.type !== 'ImportDeclaration' || !node.source.value.startsWith('.')) continue
      for (const s of node.specifiers) if (s.local.name === name && s.imported) {
        const target = resolveImport(file, node.source.value)
        if (target) return check(target, s.imported.name, via)
      }
    }
  }
  for (const entry of entries) {
    const { ast } = parse(entry)
    for (const node of ast.body) {
      if (node.type === 'ExportNamedDeclaration' && node.source) {
        const target = resolveImport(entry, node.source.value)
        for (const s of node.specifiers) if (target) check(target, s.local.name ?? s.local.value, relative(pkgDir, entry))
      } else if (node.type === 'ExportNamedDeclaration' && node.declaration) {
        const d = node.declaration
        const names = d.type === 'VariableDeclaration' ? d.declarations.map((x) => x.id.name) : [d.id?.name]
        for (const name of names) check(entry, name, relative(pkgDir, entry))
      }
    }
  }
  return missing
}

/** The entry files a package's `exports` map points at with the source condition. */
function entriesOf(pkgDir) {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
  const files = []
  for (const target of Object.values(manifest.exports ?? {})) {
    const source = typeof target === 'object' ? target['@chronicle/source'] : undefined
    if (typeof source === 'string') files.push(resolve(pkgDir, source))
  }
  return files
}

export function checkStructure() {
  const problems = { longFiles: [], longFunctions: [], circles: [], undocumented: [] }
  const packagesDir = join(root, 'packages')
  for (const pkg of readdirSync(packagesDir)) {
    const pkgDir = join(packagesDir, pkg)
    if (!existsSync(join(pkgDir, 'src'))) continue
    const graph = new Map()
    for (const file of walk(join(pkgDir, 'src'))) {
      const { text, ast } = parse(file)
      const lines = text.split('\n').length
      if (lines > limits.fileLines) problems.longFiles.push(`${relative(root, file)}: ${lines} lines`)
      for (const f of functions(ast.body, text)) {
        if (f.lines > limits.functionLines) problems.longFunctions.push(`${relative(root, file)}:${f.line} ${f.name}: ${f.lines} lines`)
      }
      graph.set(file, relativeImports(ast).map((spec) => resolveImport(file, spec)).filter(Boolean))
    }
    for (const cycle of circles(graph)) problems.circles.push(cycle.map((f) => relative(root, f)).join(' -> '))
    problems.undocumented.push(...undocumentedExports(pkgDir, entriesOf(pkgDir)))
  }
  return problems
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const problems = checkStructure()
  let count = 0
  for (const [kind, list] of Object.entries(problems)) {
    if (list.length === 0) continue
    console.log(`${kind} (${list.length}):`)
    for (const line of list) console.log(`  ${line}`)
    count += list.length
  }
  console.log(count === 0 ? 'structure: all checks hold' : `structure: ${count} problems`)
  process.exit(count === 0 ? 0 : 1)
}
