import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain ES module script without declarations
import { checkStructure } from '../structure.mjs'

/**
 * What still breaks the shape rules of issue #17, while the restructuring is under way. The list
 * only shrinks: a new long file or function, a new import circle or a public export without TSDoc
 * fails this test, and so does an entry here that no longer breaks anything (remove it then).
 */
const knownProblems: Record<string, string[]> = {
  longFiles: [],
  longFunctions: [],
  circles: [],
  undocumented: [],
}

/** A problem line without its line numbers and sizes, so a file may shrink without failing. */
const keyOf = (kind: string, line: string) => {
  if (kind === 'longFiles') return line.replace(/: \d+ lines$/, '')
  if (kind === 'longFunctions') return line.replace(/:\d+ /, ' ').replace(/: \d+ lines$/, '')
  if (kind === 'undocumented') return line.replace(/:\d+ /, ' ')
  return line
}

describe('source structure (issue #17: files <= 400 lines, functions <= 120, no import circles, TSDoc on public exports)', () => {
  const problems = checkStructure() as Record<string, string[]>
  for (const kind of Object.keys(knownProblems)) {
    it(`${kind}: nothing beyond the known list, and the list holds nothing fixed`, () => {
      const found = problems[kind]!.map((line) => keyOf(kind, line)).sort()
      expect(found).toEqual([...knownProblems[kind]!].sort())
    })
  }
})
