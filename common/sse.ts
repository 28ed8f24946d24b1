/**
 * Server-Sent Events framing, shared by the server (writing) and the clients (parsing).
 * The parser follows the WHATWG "event stream interpretation" rules: lines end in CR, LF or
 * CRLF (also split across chunks), `:` starts a comment, one optional space after the colon is
 * dropped, multi-line data is joined with LF, `retry` takes digits only, and an `id` containing
 * NUL is ignored.
 */

export interface SseMessage {
  /** `event:` field, or "message" when absent. */
  event: string;
  data: string;
  /** The `id:` field of this very frame, when it had one. */
  id: string | undefined;
  /** The stream's last event id after this frame (ids persist across frames). */
  lastEventId: string;
}

export function formatSseFrame(fields: { id?: number | string; event?: string; data: string }): string {
  let frame = '';
  if (fields.id !== undefined) frame += `id: ${fields.id}\n`;
  if (fields.event !== undefined) frame += `event: ${fields.event}\n`;
  for (const line of fields.data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return frame + '\n';
}

export function formatSseRetry(milliseconds: number): string {
  return `retry: ${Math.max(0, Math.floor(milliseconds))}\n\n`;
}

export function formatSseComment(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => `: ${line}\n`)
    .join('')
    .concat('\n');
}

export interface SseParserHandlers {
  onMessage(message: SseMessage): void;
  onRetry?(milliseconds: number): void;
  onComment?(text: string): void;
}

export class SseParser {
  private pending = '';
  private skipLeadingLf = false;
  private data: string[] = [];
  private eventType = '';
  private frameId: string | undefined;
  private lastEventId = '';
  private firstChunk = true;

  constructor(private readonly handlers: SseParserHandlers) {}

  push(chunk: string): void {
    if (this.firstChunk && chunk.length > 0) {
      this.firstChunk = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let text = this.pending + chunk;
    this.pending = '';
    if (this.skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
    this.skipLeadingLf = false;

    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.processLine(text.slice(start, i));
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          // A CR at the very end of a chunk may be the first half of a CRLF.
          this.skipLeadingLf = true;
        }
      }
      start = i + 1;
    }
    this.pending = text.slice(start);
  }

  /** Where the stream stops mid-frame, the unfinished frame is dropped, as the spec requires. */
  reset(): void {
    this.pending = '';
    this.skipLeadingLf = false;
    this.data = [];
    this.eventType = '';
    this.frameId = undefined;
  }

  private processLine(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.handlers.onComment?.(line.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.lastEventId = value;
          this.frameId = value;
        }
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
      default:
        break;
    }
  }

  private dispatch(): void {
    const hadData = this.data.length > 0;
    const message: SseMessage = {
      event: this.eventType || 'message',
      data: this.data.join('\n'),
      id: this.frameId,
      lastEventId: this.lastEventId,
    };
    this.data = [];
    this.eventType = '';
    this.frameId = undefined;
    if (hadData) this.handlers.onMessage(message);
  }
}
