import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkedBodyDecoder } from '../../bench/load-generator/chunked-body-decoder.js';
import type { ScannedFrame } from '../../bench/load-generator/frame-scanner.js';
import { bodyFraming, MAX_RESPONSE_HEAD_BYTES, parseResponseHead, ResponseHeadReader } from '../../bench/load-generator/response-head-reader.js';
import { StreamConnection } from '../../bench/load-generator/stream-connection.js';

const FRAME_A = 'id: 1\nevent: system_notification\ndata: {"content":"12:1:5.000"}\n\n';
const FRAME_B = 'id: 2\nevent: system_notification\ndata: {"content":"12:2:6.000"}\n\n';

/** FRAME_A and FRAME_B as Nchan might send them: a size with extensions, an upper-case size, a trailer. */
const CHUNKED_BODY =
  `${FRAME_A.length.toString(16)};name=value;quoted="a b"\r\n${FRAME_A}\r\n` +
  `${(10).toString(16).toUpperCase()} ;x\r\n${FRAME_B.slice(0, 10)}\r\n` +
  `${(FRAME_B.length - 10).toString(16)}\r\n${FRAME_B.slice(10)}\r\n` +
  '0\r\nX-Trailer: yes\r\n\r\n';

interface Decoded {
  body: string;
  ends: number;
  error: string | null;
}

/** Feeds the pieces as reads, each with other bytes around it in its buffer, as reads into a shared buffer have. */
function decodeChunked(pieces: string[]): Decoded {
  const result: Decoded = { body: '', ends: 0, error: null };
  const decoder = new ChunkedBodyDecoder(
    (bytes, start, end) => (result.body += bytes.toString('latin1', start, end)),
    () => result.ends++,
  );
  try {
    for (const piece of pieces) {
      const bytes = Buffer.from(`##${piece}##`, 'latin1');
      decoder.push(bytes, 2, bytes.length - 2);
    }
  } catch (error) {
    result.error = (error as Error).message;
  }
  return result;
}

function splitAt(text: string, at: number): string[] {
  return [text.slice(0, at), text.slice(at)];
}

describe('chunked body decoding', () => {
  it('returns the data and ends once, whichever byte a read splits the body at', () => {
    for (let at = 0; at <= CHUNKED_BODY.length; at++) {
      expect(decodeChunked(splitAt(CHUNKED_BODY, at)), `split at ${at}`).toEqual({ body: FRAME_A + FRAME_B, ends: 1, error: null });
    }
  });

  it('decodes one byte per read', () => {
    expect(decodeChunked([...CHUNKED_BODY])).toEqual({ body: FRAME_A + FRAME_B, ends: 1, error: null });
  });

  it('ends at the terminal chunk without trailers and ignores what follows', () => {
    expect(decodeChunked(['3\r\nabc\r\n0\r\n\r\n', '5\r\nlater\r\n'])).toEqual({ body: 'abc', ends: 1, error: null });
  });

  it('does not end before the trailer section is over', () => {
    expect(decodeChunked(['3\r\nabc\r\n0\r\n', 'X-Trailer: yes\r\n'])).toEqual({ body: 'abc', ends: 0, error: null });
  });

  it('refuses a malformed size line', () => {
    expect(decodeChunked(['zz\r\nabc\r\n']).error).toMatch(/not a hex digit/);
    expect(decodeChunked(['\r\n']).error).toMatch(/not a hex digit/);
    expect(decodeChunked(['3x\r\nabc\r\n']).error).toMatch(/in a chunk size/);
    expect(decodeChunked(['3\nabc\r\n']).error).toMatch(/byte 10 in a chunk size/);
    expect(decodeChunked(['3\r\rabc\r\n']).error).toMatch(/instead of LF after a chunk size/);
    expect(decodeChunked(['1000000000000\r\n']).error).toMatch(/over 12 hex digits/);
  });

  it('refuses chunk data longer than its size', () => {
    expect(decodeChunked(['3\r\nabcd\r\n']).error).toMatch(/instead of CR after chunk data/);
  });
});

const HEAD_200_CHUNKED = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n';

describe('response head reading', () => {
  it('finds the head and where the body begins, whichever byte a read splits them at', () => {
    const response = HEAD_200_CHUNKED + CHUNKED_BODY;
    for (let at = 0; at <= response.length; at++) {
      const [first, second] = splitAt(response, at) as [string, string];
      const reader = new ResponseHeadReader();
      const firstBytes = Buffer.from(first, 'latin1');
      let read = reader.push(firstBytes, 0, firstBytes.length);
      let rest = read ? first.slice(read.bodyStart) + second : null;
      if (!read) {
        const secondBytes = Buffer.from(`#${second}`, 'latin1');
        read = reader.push(secondBytes, 1, secondBytes.length);
        rest = read ? secondBytes.toString('latin1', read.bodyStart) : null;
      }
      expect(read?.head.status, `split at ${at}`).toBe(200);
      expect(read && bodyFraming(read.head)).toBe('chunked');
      expect(rest, `split at ${at}`).toBe(CHUNKED_BODY);
    }
  });

  it('reads the status, fields and framing of a head', () => {
    const close = parseResponseHead('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nConnection: close\r\nVary: a\r\nVARY:  b ');
    expect(close.status).toBe(200);
    expect(close.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(close.headers.get('vary')).toBe('a, b');
    expect(bodyFraming(close)).toBe('until-close');
    expect(parseResponseHead('HTTP/1.0 401').status).toBe(401);
    expect(() => bodyFraming(parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 5'))).toThrow(/Content-Length/);
    expect(() => bodyFraming(parseResponseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked'))).toThrow(/unsupported/);
  });

  it('refuses a malformed head and one that does not end in time', () => {
    expect(() => parseResponseHead('HTTP/2 200')).toThrow(/status line/);
    expect(() => parseResponseHead('HTTP/1.1 200 OK\r\nno colon here')).toThrow(/header line/);
    const reader = new ResponseHeadReader();
    const filler = Buffer.from(`HTTP/1.1 200 OK\r\nX-Filler: ${'x'.repeat(1000)}\r\n`, 'latin1');
    expect(() => {
      for (let read = 0; read < MAX_RESPONSE_HEAD_BYTES / 1000 + 1; read++) reader.push(filler, 0, filler.length);
    }).toThrow(/response head over/);
  });
});

describe('a stream connection', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A server that answers every connection with `answer(socket, request)` once the request head is in. */
  async function serverAnswering(answer: (socket: Socket, request: string) => void): Promise<number> {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      let request = '';
      socket.on('data', (data: Buffer) => {
        const waiting = !request.includes('\r\n\r\n');
        request += data.toString('latin1');
        if (waiting && request.includes('\r\n\r\n')) answer(socket, request);
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    cleanups.push(() => sockets.forEach((socket) => socket.destroy()));
    return (server.address() as AddressInfo).port;
  }

  function connection(port: number, path = '/sub/all'): { stream: StreamConnection; frames: ScannedFrame[] } {
    const frames: ScannedFrame[] = [];
    const stream = new StreamConnection({ host: '127.0.0.1', port, path, headers: { Authorization: 'Bearer t' } }, (frame) => frames.push(frame));
    cleanups.push(() => stream.close());
    return { stream, frames };
  }

  it('writes the GET, reads a body that ends with the connection, and counts its end as a drop', async () => {
    let request = '';
    const port = await serverAnswering((socket, received) => {
      request = received;
      // Head and first frame in one write, the second frame split across two.
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n${FRAME_A}${FRAME_B.slice(0, 7)}`);
      setTimeout(() => socket.end(FRAME_B.slice(7)), 20);
    });
    const { stream, frames } = connection(port, '/api/events/stream');
    await stream.open(5000);
    expect(request).toBe(
      `GET /api/events/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nAuthorization: Bearer t\r\nConnection: keep-alive\r\n\r\n`,
    );
    await expect.poll(() => stream.dropped?.reason).toBe('server ended the response');
    expect(frames.map((frame) => frame.id)).toEqual(['1', '2']);
    expect(frames[1]).toEqual({ id: '2', event: 'system_notification', data: '{"content":"12:2:6.000"}' });
  });

  it('reads a chunked body and counts its terminal chunk as the server ending the response', async () => {
    const port = await serverAnswering((socket) => {
      socket.write(HEAD_200_CHUNKED.slice(0, 20));
      setTimeout(() => socket.write(HEAD_200_CHUNKED.slice(20) + CHUNKED_BODY), 20);
      // Keep-alive: the connection stays open after the response, so only the terminal chunk ends it.
    });
    const { stream, frames } = connection(port);
    await stream.open(5000);
    await expect.poll(() => stream.dropped?.reason).toBe('server ended the response');
    expect(frames.map((frame) => frame.data)).toEqual(['{"content":"12:1:5.000"}', '{"content":"12:2:6.000"}']);
  });

  it('counts a chunked body cut off by the connection closing', async () => {
    const port = await serverAnswering((socket) => socket.end(`${HEAD_200_CHUNKED}${FRAME_A.length.toString(16)}\r\n${FRAME_A}\r\n`));
    const { stream, frames } = connection(port);
    await stream.open(5000);
    await expect.poll(() => stream.dropped?.reason).toBe('connection closed mid-response');
    expect(frames).toHaveLength(1);
  });

  it('counts a malformed chunked body as a drop', async () => {
    const port = await serverAnswering((socket) => socket.write(`${HEAD_200_CHUNKED}zz\r\n`));
    const { stream } = connection(port);
    await stream.open(5000);
    await expect.poll(() => stream.dropped?.reason).toMatch(/^malformed chunked body: /);
  });

  it('does not count its own closing as a drop', async () => {
    const port = await serverAnswering((socket) => socket.write(HEAD_200_CHUNKED));
    const { stream } = connection(port);
    await stream.open(5000);
    stream.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stream.dropped).toBeNull();
  });

  it('refuses an answer other than 200, a missing answer and a connection closed before the head', async () => {
    const unauthorized = await serverAnswering((socket) => socket.write('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n'));
    const refused = connection(unauthorized, '/api/events/stream');
    await expect(refused.stream.open(5000)).rejects.toThrow('stream /api/events/stream: HTTP 401');
    expect(refused.stream.dropped).toBeNull();

    const silent = await serverAnswering(() => undefined);
    await expect(connection(silent).stream.open(100)).rejects.toThrow('no response within 100 ms');

    const hangingUp = await serverAnswering((socket) => socket.end('HTTP/1.1 200 OK\r\n'));
    await expect(connection(hangingUp, '/x').stream.open(5000)).rejects.toThrow('stream /x: connection closed before the response head');
  });
});
