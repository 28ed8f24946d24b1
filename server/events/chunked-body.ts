/**
 * A stream's body is sent with chunked transfer coding and is never completed: no last chunk is
 * ever written. When the server ends a stream (shutdown, Redis lost, revocation, session over)
 * it closes the connection after the last frame, and every HTTP client and proxy sees an
 * incomplete body, which is an error: every kind of SSE client reconnects after one. A body
 * ended by closing the connection would instead be a complete response, and the original
 * system's fetch-based client, reading until `done`, would take it as the end and never
 * reconnect; a reverse proxy would pass it on to its client as a clean end too.
 */

/**
 * Something written on streams as it is, and as a chunk of a chunked body, each built once for
 * every stream. An HTTP/1.0 client knows no chunked coding: its stream gets `frame` (and a body
 * that ends with the connection, which to it is a complete response).
 */
export interface BodyPiece {
  frame: string;
  chunk: string;
}

export function bodyPiece(frame: string): BodyPiece {
  return { frame, chunk: bodyChunk(frame) };
}

/** `text` as one chunk of a chunked body. `byteLength` is its UTF-8 length, when known. */
export function bodyChunk(text: string, byteLength = Buffer.byteLength(text)): string {
  return `${byteLength.toString(16)}\r\n${text}\r\n`;
}
