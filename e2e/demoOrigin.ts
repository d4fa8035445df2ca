/** The port the end-to-end tests serve the built demo on (`pnpm demo` itself uses 4173, so one left running does not get in the way). */
export const demoPort = 4174
/** The demo app's origin in the end-to-end tests. */
export const demoOrigin = `http://127.0.0.1:${demoPort}`
