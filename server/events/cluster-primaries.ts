import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Announces a change of primary on a cluster as the cluster client's `ready` event.
 *
 * A replica promoted after its primary died may not have the primary's last writes (replication
 * is asynchronous): Redis went back in time for that shard. Everything that repairs such a loss
 * (the outbox relay and the notice resender publish again what they sent within
 * REDIS_LOSS_WINDOW_SECONDS, the schedulers rebuild their due sets) does so whenever the
 * connection is `ready` again. One Redis connection is, after a restart; a cluster client is
 * `ready` once, and a failover of one shard is no reconnection to it: the client only sees its
 * slot map change. So every slot-map refresh (at least every second, see redis-client.ts) is
 * compared with the last, and a slot held by another primary than before emits `ready` again.
 */
export function watchClusterPrimaries(cluster: Cluster, logger: Logger): void {
  let primaries: (string | undefined)[] = [];
  cluster.on('refresh', () => {
    const now = cluster.slots.map((nodes) => nodes[0]);
    const changed = primaries.length > 0 && now.some((primary, slot) => primary !== primaries[slot]);
    primaries = now;
    if (!changed || cluster.status !== 'ready') return;
    logger.warn('a Redis Cluster shard has a new primary; publishing again what it may have lost');
    cluster.emit('ready');
  });
}
