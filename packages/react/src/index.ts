'use client'

export { ChronicleProvider, useStore, type ChronicleProviderProps } from './context'
export { useProjection, useQuery, useCommand, useIsReady, type CommandActions, type CommandHandle } from './hooks'
export type { CommandCallbacks, CommandCallOptions, CommandState } from '@chronicle/core'
export { useSyncStatus, useSyncRejections } from './sync'
export { shallow } from '@chronicle/core'
