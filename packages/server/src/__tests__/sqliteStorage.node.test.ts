import { afterAll, describe } from 'vitest'
import { sqliteStorage } from '../storage/sqlite'
import { tempDir } from './harness'
import { storageContract } from './storageContract'

const dir = tempDir('sqlite-contract')
afterAll(() => dir.remove())

let files = 0
describe('sqliteStorage', () => {
  storageContract(async () => {
    const path = `${dir.path}/log-${++files}.sqlite`
    return { backend: sqliteStorage({ path }), reopen: () => sqliteStorage({ path }) }
  })
})
