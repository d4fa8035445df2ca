import { expectTypeOf, test } from 'vitest'
import { WebSocket } from 'ws'
import type { SerializedChronicleError } from '@chronicle/core/sync'
import type { SyncConnector } from '@chronicle/core'
import { createSync, createSyncClient, type CommandResult, type PullResponse, type PushResponse, type WebSocketConstructor } from '../index'

test('Node’s ws and the browser’s WebSocket both fit the client', () => {
  expectTypeOf(WebSocket).toExtend<WebSocketConstructor>()
  expectTypeOf<typeof globalThis.WebSocket>().toExtend<WebSocketConstructor>()
})

test('calls answer with checked protocol types', () => {
  const client = createSyncClient({ url: 'http://localhost', token: () => 'token', WebSocket })
  expectTypeOf(client.push).returns.resolves.toEqualTypeOf<PushResponse>()
  expectTypeOf(client.pull).returns.resolves.toEqualTypeOf<PullResponse>()
  expectTypeOf(client.push).parameter(0).toHaveProperty('commands')
})

test('a result narrows by status', () => {
  const result = {} as CommandResult
  if (result.status === 'ok') expectTypeOf(result.position).toEqualTypeOf<number>()
  else expectTypeOf(result.error).toEqualTypeOf<SerializedChronicleError>()
})

test('createSync plugs into createStore({ sync }) and takes a token, a function or an async function', () => {
  expectTypeOf(createSync({ url: 'http://localhost', auth: 'token' })).toEqualTypeOf<SyncConnector>()
  expectTypeOf(createSync).parameter(0).toHaveProperty('auth').toEqualTypeOf<string | (() => string | Promise<string>)>()
  createSync({ url: 'http://localhost', auth: async () => 'token', WebSocket, live: false, retry: { maxDelay: 5000 } })
  // @ts-expect-error a token is a string
  createSync({ url: 'http://localhost', auth: 42 })
})
