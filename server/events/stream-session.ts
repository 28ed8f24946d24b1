import type { Response } from 'express';
import { formatSseRetry } from '../../common/sse.js';
import type { Replay } from './event-history.js';
import type { StoredEvent } from './stored-event.js';
import { corkUntilTickEnds, currentTick } from './tick-batch.js';

export type StreamCloseReason = 'client_gone' | 'slow_client' | 'shutdown' | 'redis_lost' | 'revoked';

/**
 * One open SSE response. While the replay runs it holds live events back; afterwards it writes
 * each event whose id is above the last one written, so neither the replay/live overlap nor a
 * repeated PUBLISH can put an event on the wire twice.
 */
export class StreamSession {
  private held: StoredEvent[] | null = [];
  private lastWrittenId: number;
  private closed = false;
  /** Until the handler has checked history and sent 200, nothing may touch the response. */
  private streaming = false;
  private lastWriteTick = -1;
  private corkedTick = -1;

  constructor(
    readonly userId: number,
    private readonly res: Response,
    lastEventId: number | null,
    private readonly maxBufferedBytes: number,
    private readonly onClose: (session: StreamSession, reason: StreamCloseReason) => void,
  ) {
    this.lastWrittenId = lastEventId ?? 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether the stream got as far as its 200 (so its closing is worth a log line). */
  get began(): boolean {
    return this.streaming;
  }

  get lastId(): number {
    return this.lastWrittenId;
  }

  /** Sends the SSE headers and the client's reconnection delay: the stream has begun. */
  begin(retryMs: number): void {
    if (this.closed) return;
    this.res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
    });
    this.res.flushHeaders();
    this.res.req.socket.setNoDelay(true);
    this.streaming = true;
    this.writeRaw(formatSseRetry(retryMs));
  }

  /**
   * Writes the history replay. It comes before any live event and holds consecutive ids after
   * the stream's position, so it is written whole.
   */
  replay(replay: Replay): void {
    if (this.closed || !this.streaming || replay.lastId === null || replay.lastId <= this.lastWrittenId) return;
    this.lastWrittenId = replay.lastId;
    this.write(replay.frames);
  }

  /** Ends the replay: writes what arrived live meanwhile and switches to live delivery. */
  goLive(): number {
    const held = this.held ?? [];
    this.held = null;
    let written = 0;
    for (const event of held) if (this.writeEvent(event)) written++;
    return written;
  }

  /** A live event from the hub; returns whether it was written now. */
  deliver(event: StoredEvent): boolean {
    if (this.held) {
      this.held.push(event);
      return false;
    }
    return this.writeEvent(event);
  }

  /** For frames without an event id: `retry`, comments, control frames. */
  writeRaw(chunk: string): void {
    if (this.closed || !this.streaming) return;
    this.write(chunk);
  }

  /** Moves the stream's position without writing, after a resync. */
  resetPosition(id: number): void {
    this.lastWrittenId = id;
  }

  close(reason: StreamCloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.held = null;
    // Before the stream began, the handler still owns the response and answers with an error.
    if (this.streaming) {
      if (reason === 'slow_client') this.res.destroy();
      else this.res.end();
    }
    this.onClose(this, reason);
  }

  private writeEvent(event: StoredEvent): boolean {
    if (this.closed || !this.streaming || event.id <= this.lastWrittenId) return false;
    this.lastWrittenId = event.id;
    this.write(event.frame);
    return true;
  }

  /** A second write within one tick corks the stream until the tick ends (see tick-batch.ts). */
  private write(chunk: string): void {
    const tick = currentTick();
    if (tick === this.lastWriteTick && tick !== this.corkedTick) {
      this.corkedTick = tick;
      corkUntilTickEnds(this.res);
    }
    this.lastWriteTick = tick;
    this.res.write(chunk);
    this.checkBackpressure();
  }

  /**
   * A client that stops reading would make the server buffer every event for it; past the
   * bound the stream is dropped, and the client resumes later from its Last-Event-ID.
   */
  private checkBackpressure(): void {
    if (this.res.writableLength > this.maxBufferedBytes) this.close('slow_client');
  }
}
