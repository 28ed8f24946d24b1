import type { ReconnectTuning } from '../../common/reconnect-plan.js';
import { DEFAULT_RECONNECT_TUNING } from '../../common/reconnect-plan.js';

/** The backoff while the server answers but the stream fails (tests shorten it). */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 60_000 };

/** The shared reconnect plan (common/reconnect-plan.ts) with this desk's backoff. */
export function reconnectTuning(backoff: BackoffOptions): ReconnectTuning {
  return {
    ...DEFAULT_RECONNECT_TUNING,
    firstDelayMs: backoff.initialMs,
    maxDelayMs: backoff.maxMs,
  };
}
