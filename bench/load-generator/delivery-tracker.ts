import { performance } from 'node:perf_hooks';

/**
 * Every benchmark event carries `content: "<phase>:<seq>:<sent at>"`: the phase it belongs to, its
 * number in its stream (1, 2, 3, … per user, or per notice for fan-out), and the generator's
 * `performance.now()` when it was handed to the publish path. Sender and receiver are this one
 * process, so latency is read on one clock.
 */
export function benchContent(phase: number, seq: number, sentAt: number): string {
  return `${phase}:${seq}:${sentAt.toFixed(3)}`;
}

/** Where the stamp is: `content` of a notice, `text` of a message. */
export type StampField = 'content' | 'text';

const STAMP_KEYS: Record<StampField, string> = { content: '"content":"', text: '"text":"' };

/** Reads the stamp without JSON.parse; null for anything that is not a benchmark event. */
export function readBenchContent(data: string, field: StampField = 'content'): { phase: number; seq: number; sentAt: number } | null {
  const key = STAMP_KEYS[field];
  const at = data.indexOf(key);
  if (at === -1) return null;
  const start = at + key.length;
  const end = data.indexOf('"', start);
  const parts = data.slice(start, end).split(':');
  if (parts.length !== 3) return null;
  return { phase: Number(parts[0]), seq: Number(parts[1]), sentAt: Number(parts[2]) };
}

interface StreamTrack {
  seen: Uint8Array;
  maxSeq: number;
  expected: number;
}

export interface DeliverySummary {
  expected: number;
  /** Distinct events received. */
  received: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  /** Frames of an earlier phase, or without a stamp (should be none). */
  stray: number;
  latencyMs: LatencySummary;
  /** Deliveries divided by the time from the first publish to the last arrival. */
  deliveredPerSecond: number;
  /** First publish to last arrival, seconds. */
  spanSeconds: number;
  /** Fan-out only: for each notice, the time until its last delivery (ms), notice order. */
  perNoticeMaxMs?: number[];
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Counts what each stream received in one phase against what was published to it. */
export class DeliveryTracker {
  private readonly tracks: StreamTrack[];
  private latencies: Float64Array;
  private count = 0;
  private duplicates = 0;
  private outOfOrder = 0;
  private stray = 0;
  private firstSendAt = Number.POSITIVE_INFINITY;
  private lastArrivalAt = 0;
  private readonly noticeMax: number[] = [];

  constructor(
    readonly phase: number,
    streamCount: number,
    expectedDeliveries: number,
    private readonly perNotice = false,
    private readonly stampField: StampField = 'content',
  ) {
    this.tracks = Array.from({ length: streamCount }, () => ({ seen: new Uint8Array(16), maxSeq: 0, expected: 0 }));
    this.latencies = new Float64Array(Math.max(16, expectedDeliveries));
  }

  /** One more event published to a stream (after its publish succeeded). */
  expect(stream: number, count = 1): void {
    (this.tracks[stream] as StreamTrack).expected += count;
  }

  noteSend(sentAt: number): void {
    if (sentAt < this.firstSendAt) this.firstSendAt = sentAt;
  }

  get expectedTotal(): number {
    let total = 0;
    for (const track of this.tracks) total += track.expected;
    return total;
  }

  get receivedTotal(): number {
    return this.count;
  }

  /** A frame's data arrived on a stream. */
  receive(stream: number, data: string): void {
    const now = performance.now();
    const stamp = readBenchContent(data, this.stampField);
    if (!stamp || stamp.phase !== this.phase) {
      this.stray++;
      return;
    }
    const track = this.tracks[stream] as StreamTrack;
    const { seq } = stamp;
    if (seq >= track.seen.length) {
      const grown = new Uint8Array(Math.max(seq + 1, track.seen.length * 2));
      grown.set(track.seen);
      track.seen = grown;
    }
    if (track.seen[seq] === 1) {
      this.duplicates++;
      return;
    }
    track.seen[seq] = 1;
    if (seq < track.maxSeq) this.outOfOrder++;
    else track.maxSeq = seq;
    const latency = now - stamp.sentAt;
    if (this.count === this.latencies.length) {
      const grown = new Float64Array(this.latencies.length * 2);
      grown.set(this.latencies);
      this.latencies = grown;
    }
    this.latencies[this.count++] = latency;
    if (now > this.lastArrivalAt) this.lastArrivalAt = now;
    if (this.perNotice && latency > (this.noticeMax[seq - 1] ?? 0)) this.noticeMax[seq - 1] = latency;
  }

  /** Resolves when everything expected arrived, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.count < this.expectedTotal && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  summary(): DeliverySummary {
    const expected = this.expectedTotal;
    const sorted = this.latencies.slice(0, this.count).sort();
    const span = this.count > 0 ? (this.lastArrivalAt - this.firstSendAt) / 1000 : 0;
    const result: DeliverySummary = {
      expected,
      received: this.count,
      lost: Math.max(0, expected - this.count),
      duplicates: this.duplicates,
      outOfOrder: this.outOfOrder,
      stray: this.stray,
      latencyMs: summarise(sorted),
      deliveredPerSecond: span > 0 ? this.count / span : 0,
      spanSeconds: span,
    };
    if (this.perNotice) result.perNoticeMaxMs = this.noticeMax.map((value) => round(value));
    return result;
  }

  /** The raw latencies, for plots. */
  latencySample(limit: number): number[] {
    const step = Math.max(1, Math.floor(this.count / limit));
    const sample: number[] = [];
    for (let i = 0; i < this.count; i += step) sample.push(round(this.latencies[i] as number));
    return sample;
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

function summarise(sorted: Float64Array): LatencySummary {
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN),
    mean: round(sorted.length > 0 ? sum / sorted.length : Number.NaN),
  };
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
