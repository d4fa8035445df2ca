/**
 * Registers the app-shell service worker in production builds (the dev server serves modules that
 * change on every edit, which a cache would only get in the way of).
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return
  const register = () =>
    navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`).catch((error: unknown) => {
      // The app works without it; only the offline reload does not.
      console.warn('Chronicle Kanban: the service worker could not be registered', error)
    })
  if (document.readyState === 'complete') void register()
  else addEventListener('load', () => void register(), { once: true })
}
