import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/**
 * An event stream answers one request and then only writes, for hours, on every desk. Node's HTTP
 * server keeps a parser, the request, the response, a per-connection state and a dozen bound
 * listeners alive for each open connection: about 6 KB per idle stream (bench/RESULTS.md), more
 * than everything else a stream costs together. Once a stream is ready to begin, its connection
 * is taken from the HTTP server and kept as a bare TCP socket: the steps Node itself takes before
 * it hands a socket to an `upgrade` listener (lib/_http_server.js, onParserExecuteCommon). The
 * stream then writes its own response head and its chunked body, and ends by closing the
 * connection (chunked-body.ts).
 *
 * These are Node internals (checked against Node 20 and 22). When they do not look as expected,
 * the connection is left with the HTTP server and `detached` is false: streaming still works the
 * same way, each stream only costs more memory. test/server/events/stream-socket.test.ts fails
 * when a Node upgrade changes them.
 */

/** The HTTP server's own listeners on a connection's socket, by function name. */
const HTTP_SERVER_LISTENERS: readonly (readonly [event: string, name: string])[] = [
  ['data', 'bound socketOnData'],
  ['end', 'bound socketOnEnd'],
  ['close', 'bound socketOnClose'],
  ['drain', 'bound socketOnDrain'],
  ['error', 'socketOnError'],
  ['timeout', 'socketOnTimeout'],
  ['resume', 'onSocketResume'],
  ['pause', 'onSocketPause'],
];

interface HttpParser {
  finish(): unknown;
}

type ParsedSocket = Socket & { parser?: HttpParser | null };

type FreeParser = (parser: HttpParser, req: IncomingMessage, socket: Socket) => void;

const { freeParser } = createRequire(import.meta.url)('_http_common') as { freeParser?: FreeParser };

export interface StreamSocket {
  socket: Socket;
  /** Whether the HTTP server let go of the connection (false: it still holds its state). */
  detached: boolean;
}

/**
 * Takes the connection of `req` away from the HTTP server. The request must be complete (its
 * parser done with it: the parser would otherwise re-register the connection with the server
 * when the message completes). The caller must attach its own 'error' listener before returning
 * to the event loop: the server's one is gone.
 */
export function takeStreamSocket(req: IncomingMessage, res: ServerResponse): StreamSocket {
  const socket = req.socket as ParsedSocket;
  const parser = socket.parser;
  const listeners = HTTP_SERVER_LISTENERS.map(([event, name]) => {
    const listener = socket.listeners(event).find((candidate) => candidate.name === name);
    return listener ? ([event, listener] as const) : null;
  });
  if (!req.complete || !freeParser || !parser || typeof parser.finish !== 'function' || listeners.includes(null)) {
    return { socket, detached: false };
  }

  for (const entry of listeners) {
    const [event, listener] = entry as NonNullable<typeof entry>;
    socket.removeListener(event, listener as (...args: unknown[]) => void);
  }
  res.detachSocket(socket);
  parser.finish();
  freeParser(parser, req, socket);
  socket.setTimeout(0);
  // Keep reading and dropping whatever the client sends (the server's 'data' listener had the
  // socket flowing; this keeps it so without one): the stream needs nothing more from the client,
  // and reading is what notices at once that it went away.
  socket.resume();
  return { socket, detached: true };
}
