import { Cluster, Redis } from 'ioredis';

/** Calls per command since Redis started, from `INFO commandstats` (commands run by scripts included). */
export type CommandCounts = Map<string, number>;

/**
 * Counts Redis commands over a phase, for "how many round trips does a message cost": EVALSHA
 * and EVAL are the scripts a client sent, every other command is counted whether a client or a
 * script ran it (Redis counts them alike).
 */
export class RedisCommandCounter {
  private readonly redis: Redis | Cluster;

  /** One Redis, or with `clusterNodes` every primary of a cluster (a replica repeats its primary's writes). */
  constructor(redisUrl: string, clusterNodes?: string) {
    this.redis = clusterNodes
      ? new Cluster(clusterNodes.split(','), { redisOptions: { connectionName: 'bench-command-counter' } })
      : new Redis(redisUrl, { connectionName: 'bench-command-counter' });
  }

  async sample(): Promise<CommandCounts> {
    const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    const counts: CommandCounts = new Map();
    for (const info of await Promise.all(nodes.map((node) => node.info('commandstats')))) {
      for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        counts.set(match[1] as string, (counts.get(match[1] as string) ?? 0) + Number(match[2]));
      }
    }
    return counts;
  }

  /** Calls per unit between two samples (the counter's own INFO excluded), most frequent first. */
  static perUnit(before: CommandCounts, after: CommandCounts, units: number): [string, number][] {
    const rows: [string, number][] = [];
    for (const [command, calls] of after) {
      const delta = calls - (before.get(command) ?? 0) - (command === 'info' ? 1 : 0);
      if (delta > 0 && units > 0) rows.push([command, delta / units]);
    }
    return rows.sort((a, b) => b[1] - a[1]);
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
