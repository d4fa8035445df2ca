import type { Principal } from '@chronicle/core'

/**
 * Tenant filtering by the database: every event is stored with its stream's scope (a tenant, an
 * organisation) in an indexed column, and pulls and live updates read only the scopes a principal
 * may see. `canRead` still decides on every event that passes, for what a scope cannot express
 * (a private board inside a tenant, a role).
 */
export interface ScopeOptions {
  /**
   * The scope of a stream's events, e.g. its tenant: `(stream) => stream.split('/')[0]`; null for
   * streams every principal's reads consider (canRead alone decides). It must never change for a
   * stream: events keep the scope they were stored with (events stored before scopes are given
   * theirs when the server opens the log).
   */
  readonly ofStream: (stream: string) => string | null
  /** The scopes a principal reads; null for every scope (an operator, say). */
  readonly readable: (principal: Principal) => readonly string[] | null
}

/**
 * The scopes a principal's reads cover, with `''` for unscoped events; null for all. A hook that
 * throws is reported and reads as no scope at all (only unscoped events, canRead deciding).
 */
export function readableScopes(options: ScopeOptions | undefined, principal: Principal, report: (error: unknown) => void): readonly string[] | null {
  if (!options) return null
  try {
    const scopes = options.readable(principal)
    return scopes === null ? null : [...new Set([...scopes, ''])]
  } catch (error) {
    report(error)
    return ['']
  }
}
