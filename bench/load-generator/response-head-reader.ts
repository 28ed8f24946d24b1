/**
 * A head larger than this is an error rather than something to keep waiting for: both servers
 * answer a stream with a few hundred bytes.
 */
export const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;

export interface ResponseHead {
  status: number;
  /** Values by lower-case name; a repeated field's values joined with ", " (RFC 9110 §5.3). */
  headers: Map<string, string>;
}

/** How an event stream's body ends: with the terminal chunk, or when the server closes the connection. */
export type BodyFraming = 'chunked' | 'until-close';

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: |$)/;

/**
 * Collects an HTTP/1.1 response head (status line and fields, up to the blank line) from reads that
 * may split it anywhere, and says where in the read that completed it the body begins. It runs once
 * per stream, so it simply works on latin1 text.
 */
export class ResponseHeadReader {
  private text = '';

  /**
   * Reads bytes[start, end); returns the head and the offset in `bytes` where the body begins once
   * the blank line arrived, null until then. Throws when the head is malformed or too large.
   */
  push(bytes: Buffer, start: number, end: number): { head: ResponseHead; bodyStart: number } | null {
    const before = this.text.length;
    const taken = Math.min(end, start + MAX_RESPONSE_HEAD_BYTES - before);
    this.text += bytes.toString('latin1', start, taken);
    // The blank line may have begun in an earlier read.
    const blank = this.text.indexOf('\r\n\r\n', Math.max(0, before - 3));
    if (blank === -1) {
      if (this.text.length >= MAX_RESPONSE_HEAD_BYTES) throw new Error(`response head over ${MAX_RESPONSE_HEAD_BYTES} bytes`);
      return null;
    }
    return { head: parseResponseHead(this.text.slice(0, blank)), bodyStart: start + blank + 4 - before };
  }
}

/** Parses a head without its final blank line. */
export function parseResponseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const statusLine = lines[0] ?? '';
  const status = STATUS_LINE.exec(statusLine)?.[1];
  if (status === undefined) throw new Error(`not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed response header line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const earlier = headers.get(name);
    headers.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
  }
  return { status: Number(status), headers };
}

/**
 * The framing of a 200 answer to a stream request (RFC 9112 §6.3). Anything but the two ways an
 * event stream comes (a length, another transfer coding) is refused rather than misread.
 */
export function bodyFraming(head: ResponseHead): BodyFraming {
  const transferEncoding = head.headers.get('transfer-encoding');
  if (transferEncoding !== undefined) {
    if (transferEncoding.toLowerCase() === 'chunked') return 'chunked';
    throw new Error(`unsupported Transfer-Encoding: ${transferEncoding}`);
  }
  if (head.headers.has('content-length')) throw new Error('a Content-Length body is not an event stream');
  return 'until-close';
}
