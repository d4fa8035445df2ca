import { afterAll, describe } from 'vitest'
import { tempDir } from './harness'
import { syncSuite } from './syncSuite'

const dir = tempDir('sync-sqlite')
afterAll(() => dir.remove())

let databases = 0
describe('sync server on SQLite', () => {
  syncSuite(async () => ({ db: `${dir.path}/data-${++databases}.sqlite` }))
})
