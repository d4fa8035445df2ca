import { createHash } from 'node:crypto'
import type { Plugin } from 'vite'

/** Options of `serviceWorker`. */
export interface ServiceWorkerOptions {
  /** The service worker's source (a module without imports). */
  readonly entry: string
  /** Its file name in the build (default `sw.js`), served from the site's root. */
  readonly fileName?: string
}

/**
 * Builds a service worker next to the app and hands it the list of files to precache: every file
 * of the build except source maps and itself, plus a version hashed from their names (which carry
 * content hashes), so each build installs a fresh cache and drops the old one.
 */
export function serviceWorker({ entry, fileName = 'sw.js' }: ServiceWorkerOptions): Plugin {
  return {
    name: 'chronicle-demo:service-worker',
    apply: 'build',
    buildStart() {
      this.emitFile({ type: 'chunk', id: entry, fileName })
    },
    generateBundle(_options, bundle) {
      const worker = bundle[fileName]
      if (!worker || worker.type !== 'chunk') this.error(`The service worker chunk ${fileName} is missing from the build`)
      if (worker.imports.length > 0) this.error(`The service worker must not import anything (it is a classic script); it imports ${worker.imports.join(', ')}`)
      const files = Object.keys(bundle)
        .filter((name) => name !== fileName && !name.endsWith('.map') && name !== 'index.html')
        .sort()
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12)
      const replaced = worker.code.replace(/\b__PRECACHE_FILES__\b/g, JSON.stringify(files)).replace(/\b__PRECACHE_VERSION__\b/g, JSON.stringify(version))
      if (replaced === worker.code) this.error('The service worker does not use __PRECACHE_FILES__; nothing would be cached')
      worker.code = replaced
    },
  }
}
