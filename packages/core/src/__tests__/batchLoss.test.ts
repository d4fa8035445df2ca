import { describe, it } from 'vitest'
import { memoryStorage } from '../index'
import { expectLossesSpread } from './batchLoss'

describe('a batch that loses a command on a stream (memory log)', () => {
  it('conflicts the later commands of the batch on that stream', async () => {
    await expectLossesSpread(await memoryStorage().open('losses'))
  })
})
