import { performance } from 'node:perf_hooks';
import type { ScannedFrame } from './frame-scanner.js';
import { StreamConnection, type StreamTarget } from './stream-connection.js';

/** Where a pool's event frames go: the current phase's tracker, or one per group of streams. */
export interface FrameSink {
  /** `id` is the frame's SSE id, where it has one. */
  receive(stream: number, data: string, id?: string): void;
}

/** How long one stream may take to answer before the run counts it as failed. */
const OPEN_TIMEOUT_MS = 30_000;

/**
 * The generator's streams. Stream i belongs to bench user i; every event frame goes to the
 * current phase's tracker. Control frames (`ready`, `resync`) are counted apart.
 */
export class StreamPool {
  private readonly streams: StreamConnection[] = [];
  private readonly lastNumericId: number[] = [];
  tracker: FrameSink | null = null;
  /** ClinicPulse ids must rise strictly on every stream; a repeat or a step back is counted. */
  idRegressions = 0;
  resyncs = 0;
  failedOpens = 0;

  constructor(private readonly numericIds: boolean) {}

  get size(): number {
    return this.streams.length;
  }

  /** Opens streams until there are `total`, at most `concurrency` handshakes at a time. */
  async growTo(total: number, target: (index: number) => StreamTarget, concurrency = 200): Promise<number> {
    const started = performance.now();
    let next = this.streams.length;
    const worker = async () => {
      while (next < total) {
        const index = next++;
        const connection = new StreamConnection(target(index), (frame) => this.onFrame(index, frame));
        this.streams[index] = connection;
        this.lastNumericId[index] = 0;
        try {
          await connection.open(OPEN_TIMEOUT_MS);
        } catch {
          this.failedOpens++;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return (performance.now() - started) / 1000;
  }

  droppedByServer(): number {
    return this.streams.filter((stream) => stream.dropped).length;
  }

  /** The first few drops: stream, reason, seconds after it opened. */
  dropReasons(limit = 5): string[] {
    return this.streams
      .map((stream, index) => (stream.dropped ? `stream ${index}: ${stream.dropped.reason} after ${stream.dropped.at.toFixed(1)} s` : null))
      .filter((line): line is string => line !== null)
      .slice(0, limit);
  }

  closeAll(): void {
    for (const stream of this.streams) stream.close();
    this.streams.length = 0;
  }

  private onFrame(index: number, frame: ScannedFrame): void {
    if (frame.event === 'ready') return;
    if (frame.event === 'resync') {
      this.resyncs++;
      return;
    }
    if (this.numericIds && frame.id !== undefined) {
      const id = Number(frame.id);
      if (id <= (this.lastNumericId[index] as number)) this.idRegressions++;
      this.lastNumericId[index] = id;
    }
    this.tracker?.receive(index, frame.data, frame.id);
  }
}
