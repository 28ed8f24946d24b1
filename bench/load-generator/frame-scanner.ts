/**
 * A minimal SSE reader for the load generator: both servers under test write LF line endings and
 * one `data:` line per frame, so a frame is everything up to a blank line and only the `id:`,
 * `event:` and `data:` lines matter. It does a fraction of the work of the spec parser in
 * common/sse.ts (see `npm run bench -- --parser-cost`), which matters with 10,000 streams in one
 * process sharing two cores with the servers it measures.
 */
export interface ScannedFrame {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

export class FrameScanner {
  private pending = '';

  constructor(private readonly onFrame: (frame: ScannedFrame) => void) {}

  push(chunk: string): void {
    const text = this.pending.length === 0 ? chunk : this.pending + chunk;
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n\n', start);
      if (end === -1) break;
      this.frame(text, start, end);
      start = end + 2;
    }
    this.pending = start === 0 ? text : text.slice(start);
  }

  private frame(text: string, start: number, end: number): void {
    let id: string | undefined;
    let event: string | undefined;
    let data: string | undefined;
    let lineStart = start;
    while (lineStart < end) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd === -1 || lineEnd > end) lineEnd = end;
      const first = text.charCodeAt(lineStart);
      if (first === 100 /* d */ && text.startsWith('data: ', lineStart)) data = text.slice(lineStart + 6, lineEnd);
      else if (first === 105 /* i */ && text.startsWith('id: ', lineStart)) id = text.slice(lineStart + 4, lineEnd);
      else if (first === 101 /* e */ && text.startsWith('event: ', lineStart)) event = text.slice(lineStart + 7, lineEnd);
      lineStart = lineEnd + 1;
    }
    if (data !== undefined) this.onFrame({ id, event, data });
  }
}
