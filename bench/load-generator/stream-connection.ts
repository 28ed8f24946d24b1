import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ChunkedBodyDecoder, type BodyBytes } from './chunked-body-decoder.js';
import { FrameScanner, type ScannedFrame } from './frame-scanner.js';
import { bodyFraming, ResponseHeadReader } from './response-head-reader.js';

export interface StreamTarget {
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
}

/**
 * Every stream reads into this one buffer: a read is turned into strings before its callback
 * returns, and Node runs one read callback at a time, so no stream's bytes outlive its turn.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * Source addresses for streams to a loopback server, in turn (every 127.0.0.0/8 address is this
 * machine's own). From one address the kernel searched its ports in use for a free one on every
 * connect, linearly: opening the last 8,500 of 18,500 streams cost the generator 5.7 s of CPU,
 * so scenario 8's opening rate measured the generator, not the server.
 */
const LOOPBACK_SOURCES = Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 2}`);
let nextSource = 0;

function sourceAddressFor(host: string): string | undefined {
  if (!host.startsWith('127.')) return undefined;
  nextSource = (nextSource + 1) % LOOPBACK_SOURCES.length;
  return LOOPBACK_SOURCES[nextSource];
}

/**
 * One SSE stream on a bare TCP socket: the generator writes the GET itself and reads the answer
 * straight from the socket (`onread`, no stream events), because Node's HTTP client (llhttp,
 * IncomingMessage, 'data' events, a decoder) cost several µs per received frame, taken from the
 * servers measured on the same two cores. No agent, no reconnection: the stream never reopens by
 * itself, so every loss is seen by the generator.
 */
export class StreamConnection {
  private socket: Socket | undefined;
  private closedByUs = false;
  /** Set when the server ended or broke the stream while the generator still wanted it: why, and when (generator clock). */
  dropped: { reason: string; at: number } | null = null;
  private opened = 0;

  constructor(
    private readonly target: StreamTarget,
    private readonly onFrame: (frame: ScannedFrame) => void,
  ) {}

  /** Resolves once the response head arrived with status 200. */
  open(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const { host, port, path } = this.target;
      const scanner = new FrameScanner(this.onFrame);
      const toScanner: BodyBytes = (bytes, start, end) => scanner.push(bytes.toString('latin1', start, end));
      const headReader = new ResponseHeadReader();
      /** Set with the 200: where the bytes after the head go. */
      let readBody: BodyBytes | null = null;
      let endsWithConnection = false;
      let state: 'opening' | 'open' | 'failed' = 'opening';

      const fail = (error: unknown): void => {
        if (state !== 'opening') return;
        state = 'failed';
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };

      const bodyReader = (chunked: boolean): BodyBytes => {
        if (!chunked) return toScanner;
        const decoder = new ChunkedBodyDecoder(toScanner, () => {
          this.drop('server ended the response');
          socket.destroy();
        });
        return (bytes, start, end) => {
          try {
            decoder.push(bytes, start, end);
          } catch (error) {
            this.drop(`malformed chunked body: ${(error as Error).message}`);
            socket.destroy();
          }
        };
      };

      const readHead = (length: number): void => {
        let read;
        let chunked;
        try {
          read = headReader.push(READ_BUFFER, 0, length);
          if (!read) return;
          if (read.head.status !== 200) throw new Error(`stream ${path}: HTTP ${read.head.status}`);
          chunked = bodyFraming(read.head) === 'chunked';
        } catch (error) {
          fail(error);
          return;
        }
        state = 'open';
        clearTimeout(timer);
        endsWithConnection = !chunked;
        readBody = bodyReader(chunked);
        this.opened = performance.now();
        resolve();
        if (read.bodyStart < length) readBody(READ_BUFFER, read.bodyStart, length);
      };

      const localAddress = sourceAddressFor(host);
      const socket = connect({
        host,
        port,
        ...(localAddress ? { localAddress } : {}),
        noDelay: true,
        onread: {
          buffer: READ_BUFFER,
          callback: (length) => {
            if (readBody) readBody(READ_BUFFER, 0, length);
            else if (state === 'opening') readHead(length);
            return true;
          },
        },
      });
      this.socket = socket;
      const timer = setTimeout(() => fail(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
      socket.on('error', (error) => {
        if (state === 'opening') fail(error);
        else if (state === 'open') this.drop(`connection error: ${error.message}`);
      });
      // A body without length or chunks ends when the server closes the connection.
      socket.on('end', () => {
        if (state === 'open') this.drop(endsWithConnection ? 'server ended the response' : 'connection closed mid-response');
      });
      socket.on('close', () => {
        if (state === 'opening') fail(new Error(`stream ${path}: connection closed before the response head`));
        else if (state === 'open') this.drop('connection closed mid-response');
      });
      socket.write(requestHead(this.target));
    });
  }

  private drop(reason: string): void {
    if (this.closedByUs || this.dropped) return;
    this.dropped = { reason, at: (performance.now() - this.opened) / 1000 };
  }

  close(): void {
    this.closedByUs = true;
    this.socket?.destroy();
  }
}

function requestHead({ host, port, path, headers }: StreamTarget): string {
  let head = `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: text/event-stream\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return `${head}Connection: keep-alive\r\n\r\n`;
}
