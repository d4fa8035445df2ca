// A throwaway PostgreSQL cluster for one test file: initdb into a temp dir, pg_ctl start on a free
// loopback port with its socket in that dir, and stop + delete afterwards. initdb refuses to run as
// root, so as root (CI here) the cluster runs as the `postgres` user.
import { execFileSync } from 'node:child_process'
import { chownSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { Client } from 'pg'
import { tempDir } from './serverProcess'

/** A running cluster. */
export interface PostgresCluster {
  /** Connection URL of a database; `database` defaults to `postgres`. */
  url(database?: string): string
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>
  stop(): void
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'))
  if (!line) throw new Error('Running as root, but there is no postgres user for initdb to run as')
  const [, , uid, gid] = line.split(':')
  return { uid: Number(uid), gid: Number(gid) }
}

export async function startPostgres(): Promise<PostgresCluster> {
  const dir = tempDir('pg')
  const user = postgresUser()
  if (user) chownSync(dir.path, user.uid, user.gid)
  const run = (command: string, args: string[]) =>
    execFileSync(command, args, { cwd: dir.path, stdio: 'pipe', ...(user ? { uid: user.uid, gid: user.gid } : {}) })
  const data = join(dir.path, 'data')
  const port = await freePort()
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'])
    run('pg_ctl', ['-D', data, '-l', join(dir.path, 'log'), '-w', '-o', `-p ${port} -k ${dir.path} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start'])
  } catch (error) {
    dir.remove()
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? ''
    throw new Error(`Could not start a PostgreSQL cluster: ${String(error)}\n${stderr}`)
  }
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`
  return {
    url,
    async createDatabase(name) {
      const client = new Client({ connectionString: url() })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE "${name}"`)
      } finally {
        await client.end()
      }
      return url(name)
    },
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        dir.remove()
      }
    },
  }
}
