import { performance } from 'node:perf_hooks';
import { processGroup, sampleProcesses } from './process-stats.js';

export interface ResourceSample {
  at: number;
  serverRssBytes: number;
  redisRssBytes: number;
  serverCpuSeconds: number;
  redisCpuSeconds: number;
  generatorCpuSeconds: number;
}

export interface ResourceUse {
  wallSeconds: number;
  serverCpuSeconds: number;
  redisCpuSeconds: number;
  generatorCpuSeconds: number;
  serverRssBeforeBytes: number;
  serverRssAfterBytes: number;
  redisRssBeforeBytes: number;
  redisRssAfterBytes: number;
}

/**
 * Reads the servers' (ClinicPulse processes, or nginx master and workers) and Redis's RSS and
 * CPU time from /proc, and the generator's own CPU time.
 */
export class ResourceProbe {
  constructor(
    private readonly serverRootPids: readonly number[],
    private readonly redisPids: readonly number[],
  ) {}

  sample(): ResourceSample {
    const servers = sampleProcesses(this.serverRootPids.flatMap(processGroup));
    const redis = sampleProcesses(this.redisPids);
    const own = process.cpuUsage();
    return {
      at: performance.now(),
      serverRssBytes: servers.rssBytes,
      redisRssBytes: redis.rssBytes,
      serverCpuSeconds: servers.cpuSeconds,
      redisCpuSeconds: redis.cpuSeconds,
      generatorCpuSeconds: (own.user + own.system) / 1e6,
    };
  }

  static between(before: ResourceSample, after: ResourceSample): ResourceUse {
    return {
      wallSeconds: (after.at - before.at) / 1000,
      serverCpuSeconds: after.serverCpuSeconds - before.serverCpuSeconds,
      redisCpuSeconds: after.redisCpuSeconds - before.redisCpuSeconds,
      generatorCpuSeconds: after.generatorCpuSeconds - before.generatorCpuSeconds,
      serverRssBeforeBytes: before.serverRssBytes,
      serverRssAfterBytes: after.serverRssBytes,
      redisRssBeforeBytes: before.redisRssBytes,
      redisRssAfterBytes: after.redisRssBytes,
    };
  }
}
