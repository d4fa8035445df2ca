import { people } from '../domain'

/** A page's placeholder while its data is on the way. */
export function PageLoading({ children }: { children: string }) {
  return (
    <div className="page-loading" role="status">
      {children}
    </div>
  )
}

/** One `<option>` per team member (value: the person's id). */
export function PersonOptions() {
  return people.map((person) => (
    <option key={person.id} value={person.id}>
      {person.name}
    </option>
  ))
}
