import { connect, type Socket } from 'node:net';
import type { Endpoint } from './systems.js';

export interface HttpAnswer {
  status: number;
  body: string;
}

interface PendingRequest {
  head: string;
  body: string;
  resolve(answer: HttpAnswer): void;
  reject(error: Error): void;
}

const HEAD_END = '\r\n\r\n';

/**
 * One keep-alive HTTP/1.1 connection, as one desk holds it to its server: requests go out one at a
 * time in the order asked for, each after the previous answer arrived. Written on a bare socket for
 * the reason the streams are (stream-connection.ts): Node's HTTP client costs the generator tens of
 * µs per request, taken from the servers it measures on the same two cores. It reads what both
 * servers answer with: a `Content-Length` body or a chunked one. Bodies are read as latin1, so a
 * length in bytes is a length in characters; the answers the generator reads are ASCII.
 */
export class HttpConnection {
  private socket: Socket | null = null;
  private readonly queue: PendingRequest[] = [];
  private inFlight: PendingRequest | null = null;
  private received = '';

  constructor(private readonly endpoint: Endpoint) {}

  post(path: string, headers: Record<string, string>, body: string): Promise<HttpAnswer> {
    let head = `POST ${path} HTTP/1.1\r\nHost: ${this.endpoint.host}:${this.endpoint.port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    head += '\r\n';
    return new Promise((resolve, reject) => {
      this.queue.push({ head, body, resolve, reject });
      this.next();
    });
  }

  /** Requests asked for and not yet answered, the one on the wire included. */
  get waiting(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
    this.failAll(new Error('connection closed by the generator'));
  }

  private next(): void {
    if (this.inFlight) return;
    const request = this.queue.shift();
    if (!request) return;
    this.inFlight = request;
    this.ensureSocket().write(request.head + request.body);
  }

  private ensureSocket(): Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = connect({ host: this.endpoint.host, port: this.endpoint.port, noDelay: true });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (error) => this.failAll(error));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      this.failAll(new Error('server closed the connection'));
    });
    this.socket = socket;
    this.received = '';
    return socket;
  }

  private onData(chunk: string): void {
    this.received += chunk;
    for (;;) {
      let answer;
      try {
        answer = this.takeAnswer();
      } catch (error) {
        this.socket?.destroy();
        this.failAll(error as Error);
        return;
      }
      if (!answer) return;
      const request = this.inFlight;
      this.inFlight = null;
      request?.resolve(answer);
      this.next();
    }
  }

  /** One whole answer from the front of what was received, or null while it is incomplete. */
  private takeAnswer(): HttpAnswer | null {
    const text = this.received;
    const headEnd = text.indexOf(HEAD_END);
    if (headEnd === -1) return null;
    const status = Number(text.slice(9, 12));
    const head = text.slice(0, headEnd).toLowerCase();
    const bodyStart = headEnd + HEAD_END.length;
    const length = /\r\ncontent-length: *(\d+)/.exec(head);
    if (length) {
      const end = bodyStart + Number(length[1]);
      if (text.length < end) return null;
      this.received = text.slice(end);
      return { status, body: text.slice(bodyStart, end) };
    }
    if (!/\r\ntransfer-encoding: *chunked/.test(head)) throw new Error(`answer without a length: ${text.slice(0, 80)}`);
    const chunked = readChunkedBody(text, bodyStart);
    if (!chunked) return null;
    this.received = text.slice(chunked.end);
    return { status, body: chunked.body };
  }

  private failAll(error: Error): void {
    const failed = [...(this.inFlight ? [this.inFlight] : []), ...this.queue.splice(0)];
    this.inFlight = null;
    for (const request of failed) request.reject(error);
  }
}

/** A complete chunked body starting at `start` (trailers skipped), or null while it is incomplete. */
export function readChunkedBody(text: string, start: number): { body: string; end: number } | null {
  let at = start;
  let body = '';
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd === -1) return null;
    const size = Number.parseInt(text.slice(at, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size line: ${JSON.stringify(text.slice(at, lineEnd))}`);
    if (size === 0) {
      const end = text.indexOf(HEAD_END, lineEnd);
      if (text.startsWith('\r\n', lineEnd + 2)) return { body, end: lineEnd + 4 };
      return end === -1 ? null : { body, end: end + HEAD_END.length };
    }
    const dataStart = lineEnd + 2;
    if (text.length < dataStart + size + 2) return null;
    body += text.slice(dataStart, dataStart + size);
    at = dataStart + size + 2;
  }
}
