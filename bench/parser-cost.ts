import { performance } from 'node:perf_hooks';
import { formatSseFrame, SseParser } from '../common/sse.js';
import { FrameScanner } from './load-generator/frame-scanner.js';
import { benchPayload } from './load-generator/payloads.js';

const FRAMES = 200_000;
const ROUNDS = 5;

/**
 * What reading one event costs the generator with the spec parser of common/sse.ts and with its
 * own scanner, for frames as ClinicPulse writes them: one frame per chunk (live delivery) and
 * 64 KiB chunks (a replay). Best of a few rounds, in ns per frame.
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
    ['| chunks | common/sse.ts SseParser, ns/frame | bench FrameScanner, ns/frame | ratio |', '|---|---:|---:|---:|', ...rows].join('\n') + '\n',
  );
}

/** Pushes chunks until FRAMES frames were read; returns ns per frame. */
function feed(chunks: readonly string[], push: (chunk: string) => void, seen: () => number): number {
  const started = performance.now();
  while (seen() < FRAMES) for (const chunk of chunks) push(chunk);
  return ((performance.now() - started) * 1e6) / seen();
}

function best(measure: () => number): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) fastest = Math.min(fastest, measure());
  return fastest;
}
