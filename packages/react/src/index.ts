'use client'

export { ChronicleProvider, useStore, type ChronicleProviderProps } from './context'
export { useProjection, useQuery, useProvisional, useCommand, useIsReady, type CommandActions, type CommandHandle, type SelectOptions } from './hooks'
export type { ViewOptions } from '@chronicle/core'
export type { CommandCallbacks, CommandCallOptions, CommandState } from '@chronicle/core'
export { useSyncStatus, useSyncRejections } from './sync'
export { shallow } from '@chronicle/core'
