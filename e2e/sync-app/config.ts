// Where the sync e2e tests' two servers listen: the test page (vite preview) and the sync server.
// Ports of their own, so other end-to-end suites (the demo's, the tabs app's) do not collide.
export const syncPagePort = 4321
export const syncServerPort = 4322
export const syncPageUrl = `http://127.0.0.1:${syncPagePort}/`
export const syncServerUrl = `http://127.0.0.1:${syncServerPort}`
