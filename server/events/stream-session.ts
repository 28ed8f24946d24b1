import type { Socket } from 'node:net';
import { formatSseRetry } from '../../common/sse.js';
import type { Replay } from './event-history.js';
import { bodyChunk, type BodyPiece } from './chunked-body.js';
import type { StoredEvent } from './stored-event.js';
import { corkUntilTickEnds, currentTick } from './tick-batch.js';

export type StreamCloseReason =
  | 'client_gone'
  | 'slow_client'
  | 'shutdown'
  | 'redis_lost'
  | 'revoked'
  | 'session_ended'
  | 'server_error';

/** Who a stream is for: the signed-in session it was opened with. */
export interface StreamOwner {
  userId: number;
  sessionId: number;
  /** When the session expires, in ms since the epoch: the stream ends then. */
  expiresAtMs: number;
}

/** What a stream answers with; also the answer to a HEAD request. */
export const STREAM_RESPONSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store, no-transform',
  'X-Accel-Buffering': 'no',
  'X-Content-Type-Options': 'nosniff',
} as const;

/**
 * The stream writes its response head itself (see stream-socket.ts). The body is chunked and
 * never completed (chunked-body.ts), so a stream the server ends is an error to the client.
 * No `Connection: close`: Node's fetch (undici) takes the end of a connection announced to
 * close as the end of its response, chunked or not.
 */
function responseHead(extraHeaders: Readonly<Record<string, string>>, chunked: boolean): string {
  const framing = chunked ? { 'Transfer-Encoding': 'chunked' } : { Connection: 'close' };
  const headers = { ...STREAM_RESPONSE_HEADERS, ...extraHeaders, ...framing };
  return `HTTP/1.1 200 OK\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
}

/** Characters of replay written before waiting for the client to take them. */
const REPLAY_PIECE_CHARS = 64 * 1024;
/** How long a replaying client may take nothing before it counts as a slow client. */
const REPLAY_STALL_MS = 30_000;
/** How long a stream the server ends may take to hand its last frames to the kernel. */
const FLUSH_BEFORE_CLOSE_MS = 5_000;

/** Resolves true once the socket drained, false when it did not within `ms` or closed first. */
function drained(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (result: boolean) => {
      clearTimeout(timer);
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      resolve(result);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
}

/**
 * Ends a stream the server gives up on: the frames written so far go out, then the connection
 * closes with the body incomplete (chunked-body.ts), so the client reconnects. A client that
 * does not take them in time is cut off all the same; it resumes from what it got.
 */
function closeOnceFlushed(socket: Socket): void {
  const timer = setTimeout(() => socket.destroy(), FLUSH_BEFORE_CLOSE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.destroySoon();
}

/**
 * One open SSE stream, on its own TCP socket once it has begun. While the replay runs it holds
 * live events back; afterwards it writes each event whose id is above the last one written, so
 * neither the replay/live overlap nor a repeated PUBLISH can put an event on the wire twice.
 */
export class StreamSession {
  private held: StoredEvent[] | null = [];
  private lastWrittenId: number;
  /**
   * Every event up to this id is with the client: the Last-Event-ID it sent, then each event
   * written. Unlike the position it never goes back (a resync moves the position, not what the
   * client has): a copy of an event that had an id up to it is not sent again.
   */
  private clientHasUpTo: number;
  private closed = false;
  /** Set by begin(): until the handler has checked history, it alone answers the request. */
  private socket: Socket | null = null;
  private lastWriteTick = -1;
  private corkedTick = -1;
  private wroteSinceHeartbeat = false;
  private chunked = true;

  readonly userId: number;
  readonly sessionId: number;
  readonly expiresAtMs: number;

  constructor(
    owner: StreamOwner,
    lastEventId: number | null,
    private readonly maxBufferedBytes: number,
    private readonly onClose: (session: StreamSession, reason: StreamCloseReason) => void,
  ) {
    this.userId = owner.userId;
    this.sessionId = owner.sessionId;
    this.expiresAtMs = owner.expiresAtMs;
    this.lastWrittenId = lastEventId ?? 0;
    this.clientHasUpTo = this.lastWrittenId;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether the stream got as far as its 200 (so its closing is worth a log line). */
  get began(): boolean {
    return this.socket !== null;
  }

  get lastId(): number {
    return this.lastWrittenId;
  }

  /**
   * Takes the connection (from takeStreamSocket) and sends the response head (with
   * `extraHeaders`, e.g. CORS) and the client's reconnection delay: the stream has begun. A
   * client that hangs up, half-closes or breaks the connection ends the stream. `chunked` is
   * false for an HTTP/1.0 request, whose client knows no chunked coding.
   */
  begin(socket: Socket, retryMs: number, extraHeaders: Readonly<Record<string, string>> = {}, chunked = true): void {
    const clientGone = (): void => this.close('client_gone');
    socket.on('error', clientGone);
    socket.on('end', clientGone);
    socket.on('close', clientGone);
    if (this.closed) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.socket = socket;
    this.chunked = chunked;
    this.write(responseHead(extraHeaders, chunked) + this.asBody(formatSseRetry(retryMs)));
  }

  /**
   * Writes the history replay: it comes before any live event and holds every event after the
   * stream's position. A replay can be megabytes (an hour of a busy user's events), more than
   * the slow-client bound, so it goes out in pieces, each once the client has taken the one
   * before: the bound is for a client that stops reading, not for how much it missed. A client
   * that takes nothing for `stallMs` is dropped as slow; it resumes from what it got.
   */
  async replay(replay: Replay, stallMs = REPLAY_STALL_MS): Promise<void> {
    if (this.closed || !this.socket || replay.lastId === null || replay.lastId <= this.lastWrittenId) return;
    const { frames } = replay;
    for (let start = 0; start < frames.length && !this.closed; ) {
      // Pieces end after a frame's blank line, so no character (or surrogate pair) is split.
      const boundary = frames.indexOf('\n\n', start + REPLAY_PIECE_CHARS);
      const end = boundary === -1 ? frames.length : boundary + 2;
      const socket = this.socket;
      this.wroteSinceHeartbeat = true;
      const flushed = socket.write(this.asBody(frames.slice(start, end)));
      start = end;
      if (!flushed && start < frames.length && !(await drained(socket, stallMs))) {
        this.close('slow_client');
        return;
      }
    }
    if (!this.closed) {
      this.lastWrittenId = replay.lastId;
      this.clientHasUpTo = Math.max(this.clientHasUpTo, replay.lastId);
    }
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

  /**
   * A control frame sent to every stream (event-hub.ts dispatchLive), built once for all: written
   * as it comes, also during the replay (pieces end between frames).
   */
  writeControl(piece: BodyPiece): void {
    if (this.closed || !this.socket) return;
    this.write(this.chunked ? piece.chunk : piece.frame);
  }

  /** For frames without an event id: comments, control frames. */
  writeRaw(text: string): void {
    if (this.closed || !this.socket) return;
    this.write(this.asBody(text));
  }

  /**
   * A heartbeat only keeps an idle connection open through proxies and tells the client the
   * server is there: a stream that wrote anything since the last heartbeat does not need one.
   * So a stream is never silent for two heartbeat intervals, and a busy server (one notice to
   * every desk is thousands of writes) is not asked for the same number of pings right after.
   * `ping` is built once for every stream.
   */
  heartbeat(ping: BodyPiece): void {
    if (!this.wroteSinceHeartbeat && !this.closed && this.socket) this.write(this.chunked ? ping.chunk : ping.frame);
    this.wroteSinceHeartbeat = false;
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
    if (this.socket) {
      // A reset, not a FIN: a FIN would wait behind megabytes the client is not reading.
      if (reason === 'slow_client') this.socket.resetAndDestroy();
      else if (reason === 'client_gone') this.socket.destroy();
      else closeOnceFlushed(this.socket);
    }
    this.onClose(this, reason);
  }

  private writeEvent(event: StoredEvent): boolean {
    if (this.closed || !this.socket || event.id <= this.lastWrittenId) return false;
    if (event.replaces !== undefined && event.replaces <= this.clientHasUpTo) return false;
    this.lastWrittenId = event.id;
    this.clientHasUpTo = Math.max(this.clientHasUpTo, event.id);
    this.write(this.chunked ? event.chunk : event.frame);
    return true;
  }

  private asBody(text: string): string {
    return this.chunked ? bodyChunk(text) : text;
  }

  /**
   * Writes bytes of the body as they are. A second write within one tick corks the
   * stream until the tick ends (see tick-batch.ts).
   */
  private write(chunk: string): void {
    const socket = this.socket as Socket;
    const tick = currentTick();
    if (tick === this.lastWriteTick && tick !== this.corkedTick) {
      this.corkedTick = tick;
      corkUntilTickEnds(socket);
    }
    this.lastWriteTick = tick;
    this.wroteSinceHeartbeat = true;
    socket.write(chunk);
    this.checkBackpressure(socket);
  }

  /**
   * A client that stops reading would make the server buffer every event for it; past the
   * bound the stream is dropped, and the client resumes later from its Last-Event-ID.
   */
  private checkBackpressure(socket: Socket): void {
    if (socket.writableLength > this.maxBufferedBytes) this.close('slow_client');
  }
}
