import type { DeliverySummary } from './delivery-tracker.js';
import type { ResourceProbe, ResourceUse } from './resource-probe.js';
import type { StreamPool } from './stream-pool.js';
import type { SystemConfig, SystemUnderTest } from './systems.js';

/** One measured stretch of a scenario (a stream count, a rate, a set of notices, …). */
export interface PhaseResult {
  name: string;
  streams: number;
  resources: ResourceUse;
  delivery?: DeliverySummary;
  /** Scenario-specific figures (memory per stream, replay times, publish rate achieved, …). */
  figures: Record<string, number>;
  /** Raw latencies (a bounded sample), for the plots. */
  latencySample?: number[];
}

export interface ScenarioResult {
  phases: PhaseResult[];
  /** Streams the server closed or that failed to open, ids that went backwards, resyncs. */
  health: { failedOpens: number; droppedByServer: number; idRegressions: number; resyncs: number };
}

export interface ScenarioContext {
  system: SystemUnderTest;
  /** What the system under test is and where, for scenarios that talk to it beyond streams. */
  config: SystemConfig;
  probe: ResourceProbe;
  pool: StreamPool;
  /** Console progress for the operator (stderr). */
  log(message: string): void;
}
