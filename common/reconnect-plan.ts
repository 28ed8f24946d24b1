/**
 * When an event stream that failed is opened again, the same in the browser page and in the
 * desktop main process: a server that cannot be reached is probed with a cheap `GET /healthz`
 * at a short, jittered interval, and the stream reopens as soon as it answers, however long it
 * was away; only a stream that fails while the server answers waits out a backoff that grows.
 * The jitter spreads a clinic's desks over the window instead of one instant.
 */

export interface ReconnectTuning {
  /** Backoff while the server answers but the stream fails: first and largest delay. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Probes while the server does not answer: first and largest gap. */
  firstProbeMs: number;
  maxProbeMs: number;
}

/**
 * 1 s, 2 s, 4 s … 30 s while the stream keeps failing; probes at 250 ms, 500 ms, 1 s, then every
 * 1.5 s, so a desk is back within about 2 s of the server.
 */
export const DEFAULT_RECONNECT_TUNING: ReconnectTuning = {
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
  firstProbeMs: 250,
  maxProbeMs: 1_500,
};

export type ReconnectStep =
  /** Ask `/healthz` after the delay. */
  | { action: 'probe'; delayMs: number }
  /** Open the stream after the delay (0: at once). */
  | { action: 'connect'; delayMs: number };

/** Doubling from `first` up to `max`, each scaled into [50 %, 100 %] ("equal jitter"). */
export function jitteredDelay(
  attempt: number,
  first: number,
  max: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(max, first * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

export class ReconnectPlan {
  private streamFailures = 0;
  private probes = 0;

  constructor(
    private readonly tuning: ReconnectTuning = DEFAULT_RECONNECT_TUNING,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * The stream failed. `serverAnswered`: the server answered this failure (an HTTP status, a
   * REST call or `/healthz` right after it): the stream itself is the trouble, so back off.
   * Otherwise the server is away: probe until it is back.
   */
  afterStreamFailure(serverAnswered: boolean): ReconnectStep {
    if (serverAnswered)
      return {
        action: 'connect',
        delayMs: jitteredDelay(
          this.streamFailures++,
          this.tuning.firstDelayMs,
          this.tuning.maxDelayMs,
          this.random,
        ),
      };
    this.probes = 0;
    return this.nextProbe();
  }

  /** A probe was answered (the stream reopens at once: an outage says nothing against it) or not. */
  afterProbe(answered: boolean): ReconnectStep {
    return answered ? { action: 'connect', delayMs: 0 } : this.nextProbe();
  }

  /** The stream proved good (the browser: it opened; the desktop: it replayed up to `ready`). */
  connected(): void {
    this.streamFailures = 0;
  }

  /** The network came back or the computer woke up: start afresh. */
  reset(): void {
    this.streamFailures = 0;
    this.probes = 0;
  }

  private nextProbe(): ReconnectStep {
    return {
      action: 'probe',
      delayMs: jitteredDelay(
        this.probes++,
        this.tuning.firstProbeMs,
        this.tuning.maxProbeMs,
        this.random,
      ),
    };
  }
}
