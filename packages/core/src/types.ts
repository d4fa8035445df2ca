/**
 * Declaration-merging hook for app-wide types, so nobody writes a generic by hand:
 *
 * @example
 * declare module '@chronicle/core' {
 *   interface Register { principal: { userId: string; role: 'admin' | 'member' } }
 * }
 */
export interface Register {}

/** Who issues commands: `Register['principal']` when the app registers it, `unknown` otherwise. */
export type Principal = Register extends { principal: infer P } ? P : unknown

/**
 * A function type that is checked bivariantly in its parameters (method rules), so a definition
 * with a precise state or payload type still fits where any definition is accepted.
 */
export type Bivariant<F extends (...args: never[]) => unknown> = { bivarianceHack(...args: Parameters<F>): ReturnType<F> }['bivarianceHack']
