import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { takeStreamSocket, type StreamSocket } from '../../../server/events/stream-socket.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Defined out here: a closure made where `req` is in scope would keep the request alive. */
const ignoreError = (): void => undefined;

/**
 * The connection hand-over relies on Node's HTTP internals (server/events/stream-socket.ts): these
 * tests fail when a Node version changes them, before clinics pay for it in memory.
 */
describe('taking an event stream connection from the HTTP server', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serverTakingSockets(onTaken: (taken: StreamSocket, req: IncomingMessage) => void): Promise<number> {
    const taken: Socket[] = [];
    // As the stream route does, after the request has been parsed to its end.
    const server: Server = createServer((req, res) =>
      setImmediate(() => {
        const stream = takeStreamSocket(req, res);
        stream.socket.on('error', ignoreError);
        taken.push(stream.socket);
        onTaken(stream, req);
      }),
    );
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    // The server no longer knows these connections, so closing it does not end them.
    cleanups.push(() => taken.forEach((socket) => socket.destroy()));
    return (server.address() as AddressInfo).port;
  }

  function get(port: number): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/events/stream' }, resolve);
      req.on('error', reject);
      req.end();
      cleanups.push(() => req.destroy());
    });
  }

  it('detaches the connection: no HTTP server listeners or parser remain, and raw writes reach the client', async () => {
    const taken: StreamSocket[] = [];
    const port = await serverTakingSockets((stream) => {
      taken.push(stream);
      stream.socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\ndata: hello\n\n');
    });
    const res = await get(port);
    expect(res.statusCode).toBe(200);
    const body = await new Promise<string>((resolve) => res.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    expect(body).toBe('data: hello\n\n');

    const [{ socket, detached }] = taken as [StreamSocket];
    expect(detached).toBe(true);
    expect((socket as Socket & { parser?: unknown }).parser).toBeNull();
    for (const event of ['data', 'close', 'drain', 'timeout', 'resume', 'pause']) expect(socket.listenerCount(event)).toBe(0);
    expect(socket.listeners('end').map((listener) => listener.name)).toEqual(['onReadableStreamEnd']);
    // Only the test's own listener is left: nothing of the HTTP server's.
    expect(socket.listenerCount('error')).toBe(1);
  });

  it('lets the request and the response be garbage collected while the connection stays open', async () => {
    const streams = 20;
    let collected = 0;
    const registry = new FinalizationRegistry(() => collected++);
    const sockets: Socket[] = [];
    const port = await serverTakingSockets(({ socket }, req) => {
      registry.register(req, 'request');
      sockets.push(socket);
      socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n');
    });
    const responses = await Promise.all(Array.from({ length: streams }, () => get(port)));
    expect(responses.every((res) => res.statusCode === 200)).toBe(true);

    await expect
      .poll(
        async () => {
          collectGarbage();
          await new Promise((resolve) => setImmediate(resolve));
          return collected;
        },
        { timeout: 5_000 },
      )
      .toBe(streams);
    expect(sockets.filter((socket) => !socket.destroyed)).toHaveLength(streams);
  });

  it('reads and drops what the client sends, so a client that goes away is still noticed', async () => {
    let ended = false;
    const port = await serverTakingSockets(({ socket }) => {
      socket.on('end', () => (ended = true));
      socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n');
    });
    const client = connect(port, '127.0.0.1');
    client.on('error', ignoreError);
    cleanups.push(() => client.destroy());
    client.write('GET /api/events/stream HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => client.once('data', resolve));
    // More than a socket's read buffer: unread, it would stop the reads that see the hang-up.
    client.end('x'.repeat(256 * 1024));
    await expect.poll(() => ended).toBe(true);
  });

  it('leaves alone a connection it does not recognise', async () => {
    const results: boolean[] = [];
    const port = await serverTakingSockets(({ socket }, req) => {
      results.push(takeStreamSocket(req, { detachSocket: () => undefined } as never).detached);
      socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
    });
    await get(port);
    expect(results).toEqual([false]);
  });
});
