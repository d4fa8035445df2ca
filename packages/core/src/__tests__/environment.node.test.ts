import { afterEach, describe, expect, it } from 'vitest'
import { isProductionBuild } from '../environment'

describe('isProductionBuild', () => {
  const saved = process.env.NODE_ENV
  afterEach(() => {
    process.env.NODE_ENV = saved
  })

  it('is true only when NODE_ENV is "production"', () => {
    process.env.NODE_ENV = 'production'
    expect(isProductionBuild()).toBe(true)
    process.env.NODE_ENV = 'development'
    expect(isProductionBuild()).toBe(false)
    delete process.env.NODE_ENV
    expect(isProductionBuild()).toBe(false)
  })
})
