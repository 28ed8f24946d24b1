import { performance } from 'node:perf_hooks';
import { formatSseFrame, SseParser } from '../common/sse.js';
import { ChunkedBodyDecoder } from './load-generator/chunked-body-decoder.js';
import { FrameScanner } from './load-generator/frame-scanner.js';
import { benchPayload } from './load-generator/payloads.js';

const FRAMES = 200_000;
const ROUNDS = 5;

/**
 * What reading one event costs the generator with the spec parser of common/sse.ts and with its
 * own scanner, for frames as ClinicPulse writes them: one frame per chunk (live delivery) and
 * 64 KiB chunks (a replay). Then what a socket read costs the generator from its bytes on, as a
 * body that ends with the connection (ClinicPulse) and as a chunked one (Nchan): the difference is
 * the chunked decoding. Best of a few rounds, in ns per frame.
 */
export function measureParserCost(): void {
  const frames = Array.from({ length: 1000 }, (_, i) =>
    formatSseFrame({ id: 1764230000000001 + i, event: 'system_notification', data: JSON.stringify({ id: 1764230000000001 + i, ...benchPayload(12, i + 1, 12345.678) }) }),
  );
  const joined = frames.join('');
  const bigChunks: string[] = [];
  for (let at = 0; at < joined.length; at += 65_536) bigChunks.push(joined.slice(at, at + 65_536));

  const cases: [string, string[]][] = [
    ['one frame per chunk', frames],
    ['64 KiB chunks', bigChunks],
  ];
  const rows: string[] = [];
  for (const [name, chunks] of cases) {
    const spec = best(() => {
      let seen = 0;
      const parser = new SseParser({ onMessage: () => seen++ });
      return feed(chunks, (chunk) => parser.push(chunk), () => seen);
    });
    const scanner = best(() => {
      let seen = 0;
      const reader = new FrameScanner(() => seen++);
      return feed(chunks, (chunk) => reader.push(chunk), () => seen);
    });
    rows.push(`| ${name} | ${spec.toFixed(0)} | ${scanner.toFixed(0)} | ${(spec / scanner).toFixed(1)}× |`);
  }
  process.stdout.write(
    ['| chunks | common/sse.ts SseParser, ns/frame | bench FrameScanner, ns/frame | ratio |', '|---|---:|---:|---:|', ...rows].join('\n') + '\n\n',
  );

  const chunkedFrames = frames.map((frame) => `${frame.length.toString(16)}\r\n${frame}\r\n`);
  const readCases: [string, Buffer[], Buffer[]][] = [
    ['one frame per read', frames.map(latin1Bytes), chunkedFrames.map(latin1Bytes)],
    ['64 KiB reads', reads(joined), reads(chunkedFrames.join(''))],
  ];
  const readRows: string[] = [];
  for (const [name, untilClose, chunked] of readCases) {
    const plain = best(() => {
      let seen = 0;
      const reader = new FrameScanner(() => seen++);
      return feed(untilClose, (bytes) => reader.push(bytes.toString('latin1', 0, bytes.length)), () => seen);
    });
    const decoded = best(() => {
      let seen = 0;
      const reader = new FrameScanner(() => seen++);
      const decoder = new ChunkedBodyDecoder(
        (bytes, start, end) => reader.push(bytes.toString('latin1', start, end)),
        () => undefined,
      );
      return feed(chunked, (bytes) => decoder.push(bytes, 0, bytes.length), () => seen);
    });
    readRows.push(`| ${name} | ${plain.toFixed(0)} | ${decoded.toFixed(0)} | ${(decoded - plain).toFixed(0)} |`);
  }
  process.stdout.write(
    [
      '| socket reads | until close (ClinicPulse): latin1 + FrameScanner, ns/frame | chunked (Nchan): ChunkedBodyDecoder + latin1 + FrameScanner, ns/frame | decoding, ns/frame |',
      '|---|---:|---:|---:|',
      ...readRows,
    ].join('\n') + '\n',
  );
}

function latin1Bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** The bytes of `text` as 64 KiB socket reads. */
function reads(text: string): Buffer[] {
  const bytes = latin1Bytes(text);
  const result: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 65_536) result.push(bytes.subarray(at, at + 65_536));
  return result;
}

/** Pushes chunks until FRAMES frames were read; returns ns per frame. */
function feed<Chunk>(chunks: readonly Chunk[], push: (chunk: Chunk) => void, seen: () => number): number {
  const started = performance.now();
  while (seen() < FRAMES) for (const chunk of chunks) push(chunk);
  return ((performance.now() - started) * 1e6) / seen();
}

function best(measure: () => number): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) fastest = Math.min(fastest, measure());
  return fastest;
}
