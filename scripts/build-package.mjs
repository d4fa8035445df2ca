// Builds the workspace package in the current directory: ESM via Vite's library mode (every
// dependency stays external, so apps dedupe rxjs, idb, immer and react) and .d.ts files via tsc.
import { readFileSync, rmSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { build } from 'vite'

const root = process.cwd()
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'))
const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
]
const isExternal = (id) => id.startsWith('node:') || external.some((dep) => id === dep || id.startsWith(`${dep}/`))

rmSync(resolve(root, 'dist'), { recursive: true, force: true })
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
    lib: { entry: pkg.bin ? { index: 'src/index.ts', cli: 'src/cli.ts' } : 'src/index.ts', formats: ['es'], fileName: (_format, name) => `${name}.js` },
    rollupOptions: { external: isExternal },
  },
})
execFileSync(resolve(import.meta.dirname, '../node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: root })
console.log(`built ${pkg.name}`)
