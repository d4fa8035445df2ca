// Node, ESM, plain JavaScript: a store on memory storage, a command, a refusal, a read, a clean close.
import * as v from 'valibot'
import { createStore, defineAggregate, defineCommand, defineEvent, defineProjection, isChronicleError, memoryStorage, RuleViolation } from '@chronicle/core'

const NoteTaken = defineEvent('NoteTaken', v.object({ text: v.string() }))
const notebook = defineAggregate({
  name: 'notebook',
  events: [NoteTaken],
  initial: () => ({ texts: [] }),
  evolve: { NoteTaken: (draft, e) => void draft.texts.push(e.text) },
})
const takeNote = defineCommand({
  type: 'takeNote',
  schema: v.object({ text: v.pipe(v.string(), v.minLength(1)) }),
  aggregate: notebook,
  stream: () => 'notebook',
  handle: (state, command) => {
    if (state.texts.includes(command.text)) throw new RuleViolation('duplicate', `"${command.text}" is noted already`)
    return [NoteTaken({ text: command.text })]
  },
})
const notes = defineProjection({ name: 'notes', version: 1, events: [NoteTaken], initial: { texts: [] }, on: { NoteTaken: (draft, e) => void draft.texts.push(e.text) } })

const store = createStore({ name: 'notes', commands: [takeNote], projections: [notes], storage: memoryStorage() })
const receipt = await store.dispatch(takeNote({ text: 'Buy milk' }))
let refused = ''
try {
  await store.dispatch(takeNote({ text: 'Buy milk' }))
} catch (error) {
  refused = isChronicleError(error, 'RuleViolation') ? error.code : String(error)
}
await store.settled(receipt.position)
const texts = store.read(notes).texts
await store.close()
console.log(JSON.stringify({ position: receipt.position, refused, texts }))
