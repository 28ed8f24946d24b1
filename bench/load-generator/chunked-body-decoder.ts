/** Where in `bytes` a piece of the decoded body lies; read it before returning, the bytes are reused. */
export type BodyBytes = (bytes: Buffer, start: number, end: number) => void;

// Decoder states, numbered rather than named strings: the switch runs for every framing byte.
const SIZE = 0;
const EXTENSION = 1;
const SIZE_LF = 2;
const DATA = 3;
const DATA_CR = 4;
const DATA_LF = 5;
const TRAILER_LINE_START = 6;
const TRAILER_LINE = 7;
const TRAILER_END_LF = 8;
const DONE = 9;

const CR = 13;
const LF = 10;

/** 12 hex digits are 256 TiB: beyond that a size is garbage, and beyond 13 it loses integer precision. */
const MAX_SIZE_DIGITS = 12;

/**
 * A streaming decoder of an HTTP/1.1 `Transfer-Encoding: chunked` body (RFC 9112 §7.1), as Nchan
 * sends its event streams. Every read of every stream passes through it on the generator's share of
 * the two cores, so it walks the bytes of a read in place and hands on ranges of them: the only copy
 * is the one its caller makes into a string. A chunk, its size line and its CRLF may be split
 * anywhere across reads. Chunk extensions and trailer fields are skipped (nothing here uses them).
 */
export class ChunkedBodyDecoder {
  private state = SIZE;
  private size = 0;
  private sizeDigits = 0;
  private remaining = 0;

  constructor(
    private readonly onData: BodyBytes,
    /** The terminal 0-size chunk and its trailer section arrived: the server ended the response. */
    private readonly onEnd: () => void,
  ) {}

  /** Decodes bytes[start, end). Throws on a malformed body; ignores whatever follows its end. */
  push(bytes: Buffer, start: number, end: number): void {
    let at = start;
    while (at < end) {
      if (this.state === DATA) {
        const stop = Math.min(end, at + this.remaining);
        this.remaining -= stop - at;
        if (this.remaining === 0) this.state = DATA_CR;
        this.onData(bytes, at, stop);
        at = stop;
      } else if (this.state === DONE) {
        return;
      } else {
        this.step(bytes[at] as number);
        at++;
      }
    }
  }

  private step(byte: number): void {
    switch (this.state) {
      case SIZE: {
        const digit = hexDigit(byte);
        if (digit !== -1) {
          if (++this.sizeDigits > MAX_SIZE_DIGITS) throw new Error(`chunk size over ${MAX_SIZE_DIGITS} hex digits`);
          this.size = this.size * 16 + digit;
        } else if (this.sizeDigits === 0) {
          throw new Error(`chunk size line starts with byte ${byte}, not a hex digit`);
        } else if (byte === CR) {
          this.state = SIZE_LF;
        } else if (byte === 0x3b /* ; */ || byte === 0x20 || byte === 0x09) {
          // An extension, possibly after whitespace: skipped to the end of the line.
          this.state = EXTENSION;
        } else {
          throw new Error(`byte ${byte} in a chunk size`);
        }
        return;
      }
      case EXTENSION:
        if (byte === CR) this.state = SIZE_LF;
        return;
      case SIZE_LF:
        expectByte(byte, LF, 'after a chunk size');
        if (this.size === 0) {
          this.state = TRAILER_LINE_START;
        } else {
          this.remaining = this.size;
          this.state = DATA;
        }
        this.size = 0;
        this.sizeDigits = 0;
        return;
      case DATA_CR:
        expectByte(byte, CR, 'after chunk data');
        this.state = DATA_LF;
        return;
      case DATA_LF:
        expectByte(byte, LF, 'after chunk data');
        this.state = SIZE;
        return;
      case TRAILER_LINE_START:
        this.state = byte === CR ? TRAILER_END_LF : TRAILER_LINE;
        return;
      case TRAILER_LINE:
        if (byte === LF) this.state = TRAILER_LINE_START;
        return;
      case TRAILER_END_LF:
        expectByte(byte, LF, 'at the end of the trailer section');
        this.state = DONE;
        this.onEnd();
        return;
    }
  }
}

function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function expectByte(byte: number, expected: number, where: string): void {
  if (byte !== expected) throw new Error(`byte ${byte} instead of ${expected === CR ? 'CR' : 'LF'} ${where}`);
}
