// jsdom projects: Testing Library's waitFor/findBy wait up to 10 s instead of 1 s. They still
// return as soon as what they wait for is there; the longer window only keeps a busy machine
// (the whole suite on 2 cores) from failing a test that would have passed a moment later.
import { configure } from '@testing-library/react'

configure({ asyncUtilTimeout: 10_000 })
