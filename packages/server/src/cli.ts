#!/usr/bin/env node
// chronicle-server: runs a sync server for a domain module. See docs/sync-server.md.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type { AnyCommandDefinition, Principal } from '@chronicle/core'
import type { PushCommand } from '@chronicle/sync'
import { createSyncServer, type SyncServerOptions } from './syncServer'
import { postgresStorage } from './storage/postgres'
import { sqliteStorage } from './storage/sqlite'

const usage = `Usage: chronicle-server --domain ./domain.js [options]

  --domain <file>     ES module exporting \`commands\` (and optionally authenticate, authorize, canRead, scopes)
  --db <file>         SQLite database file (default ./chronicle.sqlite)
  --postgres <url>    use PostgreSQL instead of SQLite (several servers may share it)
  --port <n>          port to listen on (default $PORT or 3000; 0 picks a free one)
  --host <addr>       address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --name <name>       log name inside the database (default chronicle)
  --token <secret>    accept this one bearer token (or $CHRONICLE_TOKEN) when the domain has no authenticate
  --cors <origins>    comma-separated origins allowed to call from browsers, or *
  --max-body <bytes>  largest request body (default 1048576)
  --rate <n>          pushed commands per second per principal (default 50; 0 turns limiting off)
  --burst <n>         commands a principal may push at once (default 1000)
  --headers-timeout <ms>  time a client has to send a request's headers (default 5000)
  --request-timeout <ms>  time a client has to send a whole request (default 15000)
  --idle-timeout <ms>     time a kept-alive connection may sit idle (default 5000)
  --max-connections-per-client <n>
                      open connections per client address (default 64; 0: no cap, as behind a load balancer)
  --help              show this text`

/** What a domain module may export (directly or as its default export). */
interface DomainModule {
  readonly commands?: readonly AnyCommandDefinition[]
  readonly authenticate?: SyncServerOptions['authenticate']
  readonly authorize?: (principal: Principal, command: PushCommand) => boolean | Promise<boolean>
  readonly canRead?: (principal: Principal, stream: string) => boolean
  readonly scopes?: SyncServerOptions['scopes']
}

function fail(message: string): never {
  console.error(`chronicle-server: ${message}\n\n${usage}`)
  process.exit(2)
}

function count(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0) fail(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`)
  return value
}

async function main() {
  let args
  try {
    args = parseArgs({
      options: {
        domain: { type: 'string' },
        db: { type: 'string' },
        postgres: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        name: { type: 'string' },
        token: { type: 'string' },
        cors: { type: 'string' },
        'max-body': { type: 'string' },
        rate: { type: 'string' },
        burst: { type: 'string' },
        'headers-timeout': { type: 'string' },
        'request-timeout': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'max-connections-per-client': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
  if (args.help) {
    console.log(usage)
    return
  }
  if (!args.domain) fail('--domain is required')
  if (args.db && args.postgres) fail('pass --db or --postgres, not both')

  let loaded: DomainModule & { default?: DomainModule }
  try {
    loaded = (await import(pathToFileURL(resolve(args.domain)).href)) as DomainModule & { default?: DomainModule }
  } catch (error) {
    fail(`could not load the domain module ${args.domain}: ${error instanceof Error ? error.message : String(error)}`)
  }
  const domain: DomainModule = loaded.commands ? loaded : (loaded.default ?? {})
  if (!Array.isArray(domain.commands) || domain.commands.length === 0) fail(`${args.domain} must export \`commands\`: the command definitions the browser dispatches`)

  const sharedToken = args.token ?? process.env.CHRONICLE_TOKEN
  let authenticate = domain.authenticate
  if (!authenticate) {
    if (!sharedToken) fail(`${args.domain} exports no authenticate(token); pass --token <secret> (or set CHRONICLE_TOKEN) to accept one shared token`)
    authenticate = (token) => (token === sharedToken ? { id: 'shared' } : null)
  }
  if (!domain.canRead) console.warn('chronicle-server: the domain exports no canRead(principal, stream); every authenticated principal may read every stream.')

  const rate = count(args.rate, 'rate', 50)
  const burst = count(args.burst, 'burst', 1000)
  const maxCommandsPerPush = Math.min(500, Math.max(1, burst))
  const server = createSyncServer({
    domain: { commands: domain.commands },
    store: args.postgres ? postgresStorage({ connectionString: args.postgres }) : sqliteStorage({ path: resolve(args.db ?? 'chronicle.sqlite') }),
    ...(args.name ? { name: args.name } : {}),
    authenticate,
    ...(domain.authorize ? { authorize: domain.authorize } : {}),
    canRead: domain.canRead ?? (() => true),
    ...(domain.scopes ? { scopes: domain.scopes } : {}),
    cors: args.cors ? { origins: args.cors === '*' ? '*' : args.cors.split(',').map((origin) => origin.trim()) } : false,
    maxBodyBytes: count(args['max-body'], 'max-body', 1024 * 1024),
    maxCommandsPerPush,
    rateLimit: rate === 0 ? false : { commandsPerSecond: rate, burst: Math.max(burst, maxCommandsPerPush) },
    connections: {
      headersTimeout: count(args['headers-timeout'], 'headers-timeout', 5_000),
      requestTimeout: count(args['request-timeout'], 'request-timeout', 15_000),
      idleTimeout: count(args['idle-timeout'], 'idle-timeout', 5_000),
      maxConnectionsPerClient: count(args['max-connections-per-client'], 'max-connections-per-client', 64),
    },
  })

  const port = count(args.port ?? process.env.PORT, 'port', 3000)
  const url = await server.listen(port, args.host ?? '127.0.0.1')
  console.log(`chronicle-server listening on ${url} (${args.postgres ? 'postgres' : `sqlite ${resolve(args.db ?? 'chronicle.sqlite')}`})`)

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) {
      console.error(`chronicle-server: ${signal} again, exiting without waiting`)
      process.exit(1)
    }
    stopping = true
    console.log(`chronicle-server: ${signal}, finishing requests in flight`)
    server.close().then(
      () => {
        console.log('chronicle-server: stopped')
        process.exit(0)
      },
      (error: unknown) => {
        console.error('chronicle-server: shutdown failed', error)
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((error: unknown) => {
  console.error('chronicle-server:', error instanceof Error ? error.message : error)
  process.exit(1)
})
