// Node, CommonJS: require() of the ESM package (Node >= 20.19 loads ES modules synchronously).
const { createStore, defineAggregate, defineCommand, defineEvent, defineProjection, memoryStorage } = require('@chronicle/core')

const schema = { '~standard': { version: 1, vendor: 'plain', validate: (value) => ({ value }) } }
const Counted = defineEvent('Counted', schema)
const counter = defineAggregate({ name: 'counter', events: [Counted], initial: () => ({ n: 0 }), evolve: { Counted: (draft) => void draft.n++ } })
const count = defineCommand({ type: 'count', schema, aggregate: counter, stream: () => 'counter', handle: () => [Counted({})] })
const total = defineProjection({ name: 'total', version: 1, events: [Counted], initial: { n: 0 }, on: { Counted: (draft) => void draft.n++ } })

async function main() {
  const store = createStore({ name: 'cjs', commands: [count], projections: [total], storage: memoryStorage() })
  const first = await store.dispatch(count({}))
  const second = await store.dispatch(count({}))
  await store.settled(second.position)
  const n = store.read(total).n
  await store.close()
  console.log(JSON.stringify({ positions: [first.position, second.position], n }))
}
main().catch((error) => {
  console.error(error)
  process.exit(1)
})
