import { performance } from 'node:perf_hooks';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { FrameScanner, type ScannedFrame } from './frame-scanner.js';

export interface StreamTarget {
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
}

/**
 * One SSE stream over raw `http.request`: no agent (so no keep-alive pooling), no EventSource
 * reconnection logic. Frames go to `onFrame`; the stream never reconnects by itself, so every
 * loss is seen by the generator.
 */
export class StreamConnection {
  private req: ClientRequest | undefined;
  private res: IncomingMessage | undefined;
  private closedByUs = false;
  /** Set when the server ended or broke the stream while the generator still wanted it: why, and when (generator clock). */
  dropped: { reason: string; at: number } | null = null;
  private opened = 0;

  constructor(
    private readonly target: StreamTarget,
    private readonly onFrame: (frame: ScannedFrame) => void,
  ) {}

  /** Resolves once the response headers arrived with status 200. */
  open(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const scanner = new FrameScanner(this.onFrame);
      const timer = setTimeout(() => {
        req.destroy(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      const req = request(
        {
          host: this.target.host,
          port: this.target.port,
          path: this.target.path,
          method: 'GET',
          agent: false,
          headers: { Accept: 'text/event-stream', ...this.target.headers },
        },
        (res) => {
          clearTimeout(timer);
          if (res.statusCode !== 200) {
            res.resume();
            req.destroy();
            reject(new Error(`stream ${this.target.path}: HTTP ${res.statusCode}`));
            return;
          }
          this.res = res;
          this.opened = performance.now();
          res.setEncoding('latin1');
          res.on('data', (chunk: string) => scanner.push(chunk));
          res.on('error', (error) => this.drop(`response error: ${error.message}`));
          res.on('close', () => this.drop(res.complete ? 'server ended the response' : 'connection closed mid-response'));
          resolve();
        },
      );
      req.on('error', (error) => {
        clearTimeout(timer);
        if (!this.res) reject(error);
        else this.drop(`request error: ${error.message}`);
      });
      req.end();
      this.req = req;
    });
  }

  private drop(reason: string): void {
    if (this.closedByUs || this.dropped) return;
    this.dropped = { reason, at: (performance.now() - this.opened) / 1000 };
  }

  close(): void {
    this.closedByUs = true;
    this.req?.destroy();
  }
}
