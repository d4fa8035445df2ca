// Where the demo's sync server is. `pnpm demo` serves the app and forwards /v1 to the sync server,
// so a build talks to its own origin. `?server=<url>` points the app at another server (a sync
// server started with `--sync-only --cors`, a colleague's machine) and is remembered in this
// browser; `?server=` (empty) forgets it. The Vite dev server has no sync server: the app then
// runs local-only, unless pointed at one.

const storageKey = 'chronicle-demo:sync-server'

function remembered(): string | null {
  try {
    const asked = new URLSearchParams(location.search).get('server')
    if (asked !== null) {
      if (asked) localStorage.setItem(storageKey, asked)
      else localStorage.removeItem(storageKey)
    }
    return localStorage.getItem(storageKey)
  } catch {
    // Storage may be unavailable (privacy modes): only the default then.
    return null
  }
}

/** The sync server the app talks to, or undefined when it runs local-only. */
export function syncServerUrl(): { readonly url: string; readonly isDefault: boolean } | undefined {
  const chosen = remembered()
  if (chosen) return { url: new URL(chosen, location.href).origin, isDefault: false }
  return import.meta.env.PROD ? { url: location.origin, isDefault: true } : undefined
}
