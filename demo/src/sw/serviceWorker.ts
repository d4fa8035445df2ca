// The demo's service worker: it caches the app shell (index.html and every built asset) at install,
// so a reload with no network still opens the app, which then reads its data from IndexedDB.
// Built by demo/vite/serviceWorker.ts as /sw.js, a classic script: no imports here.

/** Replaced at build time with the built files and a version derived from them. */
declare const __PRECACHE_FILES__: readonly string[]
declare const __PRECACHE_VERSION__: string

interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void
}
interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request
  respondWith(response: Response | Promise<Response>): void
}
interface ServiceWorkerScopeLike {
  readonly registration: { readonly scope: string }
  readonly clients: { claim(): Promise<void> }
  skipWaiting(): Promise<void>
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void
  addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void
}

const worker = self as unknown as ServiceWorkerScopeLike
const cachePrefix = 'chronicle-kanban-'
const cacheName = `${cachePrefix}${__PRECACHE_VERSION__}`
const shellUrl = new URL('./', worker.registration.scope).href
/** How long a navigation waits for the network before the cached shell answers (a bad connection). */
const networkTimeout = 4000

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      .then((cache) => cache.addAll([shellUrl, ...__PRECACHE_FILES__.map((file) => new URL(file, worker.registration.scope).href)]))
      .then(() => worker.skipWaiting()),
  )
})

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith(cachePrefix) && name !== cacheName).map((name) => caches.delete(name))))
      .then(() => worker.clients.claim()),
  )
})

/** The page itself: the network when it answers in time (a fresh build), else the cached shell. */
async function navigate(request: Request): Promise<Response> {
  const cache = await caches.open(cacheName)
  try {
    const response = await Promise.race([
      fetch(request),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('network timeout')), networkTimeout)),
    ])
    if (response.ok) await cache.put(shellUrl, response.clone())
    return response
  } catch {
    return (await cache.match(shellUrl, { ignoreVary: true })) ?? Response.error()
  }
}

/**
 * Built assets have content hashes in their names: the cache answers first. `ignoreVary`: the
 * server varies on request headers (Origin) that module script requests send and install did not.
 */
async function asset(request: Request): Promise<Response> {
  return (await caches.match(request, { ignoreVary: true })) ?? fetch(request)
}

/** The sync server's API, which `pnpm demo` forwards from this origin: always the network, never a cache. */
const syncApi = new URL('./v1/', worker.registration.scope).pathname

worker.addEventListener('fetch', (event) => {
  const { request } = event
  const url = new URL(request.url)
  if (request.method !== 'GET' || url.origin !== location.origin || url.pathname.startsWith(syncApi)) return
  event.respondWith(request.mode === 'navigate' ? navigate(request) : asset(request))
})
