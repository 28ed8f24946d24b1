import { request, type IncomingMessage } from 'node:http';
import { SseParser, type SseMessage } from '../../common/sse.js';

/**
 * A raw SSE reader over node:http, for tests that need to see every frame, comment and status
 * exactly as the server wrote them (the EventSource class hides comments and retries).
 */
export interface RawStream {
  status: number;
  headers: IncomingMessage['headers'];
  /** Every dispatched frame, in arrival order. */
  messages: SseMessage[];
  comments: string[];
  retries: number[];
  /** The body, when the server answered with an error instead of a stream. */
  errorBody: string;
  ended: Promise<void>;
  close(): void;
  /** Numbered events' ids, in arrival order. */
  eventIds(): number[];
  waitFor(predicate: (stream: RawStream) => boolean, timeoutMs?: number): Promise<void>;
}

/**
 * What a frame is: a control frame's name (`ready`, `resync`), or the `type` in the data of an
 * event, which comes unnamed as in the original system.
 */
export function frameType(message: Pick<SseMessage, 'event' | 'data'>): string {
  if (message.event !== 'message') return message.event;
  try {
    return String((JSON.parse(message.data) as { type?: unknown }).type);
  } catch {
    return 'message';
  }
}

export function openRawStream(url: string, headers: Record<string, string>): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    let ended = false;
    const stream: RawStream = {
      status: 0,
      headers: {},
      messages: [],
      comments: [],
      retries: [],
      errorBody: '',
      ended: Promise.resolve(),
      close: () => req.destroy(),
      eventIds: () => stream.messages.filter((m) => m.id !== undefined && m.event !== 'resync').map((m) => Number(m.id)),
      waitFor: (predicate, timeoutMs = 20_000) =>
        new Promise<void>((done, fail) => {
          const started = Date.now();
          const check = () => {
            if (predicate(stream)) return done();
            if (Date.now() - started > timeoutMs) return fail(new Error(`timed out: status ${stream.status}, ended ${ended}, retries ${JSON.stringify(stream.retries)}, last frames ${JSON.stringify(stream.messages.slice(-5))}`));
            setTimeout(check, 10);
          };
          check();
        }),
    };
    const parser = new SseParser({
      onMessage: (m) => stream.messages.push(m),
      onComment: (c) => stream.comments.push(c),
      onRetry: (ms) => stream.retries.push(ms),
    });
    const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      stream.status = res.statusCode ?? 0;
      stream.headers = res.headers;
      res.setEncoding('utf8');
      stream.ended = new Promise((done) => {
        res.on('close', () => {
          ended = true;
          done();
        });
        res.on('error', () => done());
      });
      const isStream = String(res.headers['content-type']).startsWith('text/event-stream');
      res.on('data', (chunk: string) => (isStream ? parser.push(chunk) : (stream.errorBody += chunk)));
      resolve(stream);
    });
    req.on('error', (error) => (stream.status === 0 ? reject(error) : undefined));
    req.end();
  });
}
