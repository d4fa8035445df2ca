import type { IncomingMessage, ServerResponse } from 'node:http'
import { refuse, tooLarge, type SyncRequest, type SyncResponse } from './http'

/** A Node request as a SyncRequest. */
export function fromNode(req: IncomingMessage): SyncRequest {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    header: (name) => {
      const value = req.headers[name]
      return Array.isArray(value) ? value.join(', ') : value
    },
    text: (limit) => readBody(req, limit),
  }
}

/** Writes a SyncResponse (unless the connection is gone or an answer was already written). */
export function writeNode(res: ServerResponse, response: SyncResponse) {
  if (res.headersSent || res.destroyed) return
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) })
  res.end(response.body)
}

/**
 * Reads a request body of at most `limit` bytes. A larger one (by Content-Length, or as it
 * streams in) is refused with `payload-too-large` before it is parsed. The rest of it is read and
 * dropped, so the client finishes sending and reads the answer instead of a reset connection;
 * a client that keeps sending past `16 * limit` more is cut off.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // Mounted behind a body parser (express.json()), the stream has been read already.
    if (req.readableEnded) {
      reject(refuse('internal', 'The request body was consumed before the sync handler saw it; mount the sync handler before any body parser.'))
      return
    }
    const refuseRest = () => {
      req.removeAllListeners('data')
      let drained = 0
      req.on('data', (chunk: Buffer) => {
        drained += chunk.length
        if (drained > 16 * limit) req.socket.destroy()
      })
      reject(tooLarge(limit))
    }
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) {
      refuseRest()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) refuseRest()
      else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', (error) => reject(error))
  })
}
