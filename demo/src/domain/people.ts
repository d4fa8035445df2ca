import * as v from 'valibot'

/** Someone on the team. People are plain domain data: a stable id and a display name. */
export interface Person {
  readonly id: string
  readonly name: string
}

/** The team of the demo board. */
export const people = [
  { id: 'ada', name: 'Ada Lovelace' },
  { id: 'grace', name: 'Grace Hopper' },
  { id: 'alan', name: 'Alan Turing' },
  { id: 'katherine', name: 'Katherine Johnson' },
] as const satisfies readonly Person[]

/** The id of a team member. */
export type PersonId = (typeof people)[number]['id']

/** Valibot schema of a team member's id. */
export const personIdSchema = v.picklist(people.map((p) => p.id) as [PersonId, ...PersonId[]], 'Pick someone from the team')

/** True when `id` names a team member. */
export function isPersonId(id: unknown): id is PersonId {
  return typeof id === 'string' && people.some((p) => p.id === id)
}

/** The display name of a team member (the id itself for someone unknown). */
export function personName(id: string): string {
  return people.find((p) => p.id === id)?.name ?? id
}
