import { tooLarge, type SyncRequest, type SyncResponse } from './http'

/** A fetch-style Request as a SyncRequest; `url` keeps only the path and query. */
export function fromFetch(request: Request): SyncRequest {
  const url = new URL(request.url)
  return {
    method: request.method,
    url: `${url.pathname}${url.search}`,
    header: (name) => request.headers.get(name) ?? undefined,
    text: (limit) => readBody(request, limit),
  }
}

/** A SyncResponse as a fetch-style Response. */
export function toFetch(response: SyncResponse): Response {
  // 204 and friends may carry no body at all, not even an empty one.
  return new Response(response.body === '' ? null : response.body, { status: response.status, headers: response.headers })
}

/** Reads at most `limit` bytes of a Request's body, cancelling the stream past it. */
async function readBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) {
    await request.body?.cancel().catch(() => undefined)
    throw tooLarge(limit)
  }
  if (!request.body) return ''
  const reader = request.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge(limit)
    }
    text += decoder.decode(value, { stream: true })
  }
  return text + decoder.decode()
}
