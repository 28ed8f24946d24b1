import { EventEmitter } from 'node:events';
import calculateSlot from 'cluster-key-slot';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { ChannelSubscriber } from './channel-subscriber.js';
import { pingWhileReady, SUBSCRIBER_SOCKET_TIMEOUT_MS } from './subscriber-ping.js';

/** First wait before subscribing again after a loss; it doubles up to RETRY_MAX_MS. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 1_000;

interface SubscribedSlot {
  /** The primary the slot's channels are subscribed on (`host:port`). */
  nodeKey: string;
  channels: Set<string>;
}

/**
 * The event hub's subscriber on a Redis Cluster: sharded pub/sub (SSUBSCRIBE), one connection per
 * primary that holds a subscribed channel's slot. A sharded message is sent only by the shard
 * holding its channel, so a server hears each event once, from that shard, instead of every node
 * forwarding every message to every other.
 *
 * ioredis's own `shardedSubscribers` resubscribes by itself after a failover or a resharding,
 * silently: what was published in between would never reach the streams. Here any loss (a
 * connection closed, a refused SSUBSCRIBE, an error, the slot map showing a subscribed slot on
 * another primary) closes every shard connection and emits `close`, as one Redis connection
 * dropping does: the hub ends its streams, clients resume by Last-Event-ID from history. Once the
 * slot map is fresh again `ready` follows, with no channels, and the hub subscribes anew.
 */
export class ShardedSubscriber extends EventEmitter implements ChannelSubscriber {
  status: 'connecting' | 'ready' | 'lost' | 'end' = 'connecting';
  private readonly shards = new Map<string, Redis>();
  private readonly slots = new Map<number, SubscribedSlot>();
  private retryDelayMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Whether a subscription worked since the last loss: only then is a loss worth a warning. */
  private working = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: RedisOptions,
    private readonly logger: Logger,
  ) {
    super();
    cluster.on('refresh', () => this.checkSlotMap());
    this.becomeReadyWhenSlotsKnown();
  }

  async subscribe(...channels: string[]): Promise<unknown> {
    if (this.status !== 'ready') throw new Error('Connection is closed.');
    const bySlot = new Map<number, string[]>();
    for (const channel of channels) {
      const slot = calculateSlot(channel);
      const same = bySlot.get(slot);
      if (same) same.push(channel);
      else bySlot.set(slot, [channel]);
    }
    return Promise.all([...bySlot].map(([slot, inSlot]) => this.subscribeInSlot(slot, inSlot)));
  }

  async unsubscribe(...channels: string[]): Promise<unknown> {
    const unsubscribed: Promise<unknown>[] = [];
    for (const channel of channels) {
      const slot = calculateSlot(channel);
      const subscribed = this.slots.get(slot);
      if (!subscribed?.channels.delete(channel)) continue;
      const shard = this.shards.get(subscribed.nodeKey);
      if (shard) unsubscribed.push(shard.sunsubscribe(channel));
    }
    return Promise.all(unsubscribed);
  }

  /** Ends every connection for good (shutdown). */
  disconnect(): void {
    this.status = 'end';
    clearTimeout(this.retryTimer);
    this.closeShards();
  }

  private async subscribeInSlot(slot: number, channels: string[]): Promise<void> {
    const nodeKey = this.cluster.slots[slot]?.[0];
    if (!nodeKey) throw new Error('Connection is closed.');
    let subscribed = this.slots.get(slot);
    if (subscribed && subscribed.nodeKey !== nodeKey) {
      // The slot map moved the slot since its first channels were subscribed elsewhere.
      this.lose('a subscribed slot moved to another primary');
      throw new Error('Connection is closed.');
    }
    if (!subscribed) this.slots.set(slot, (subscribed = { nodeKey, channels: new Set() }));
    for (const channel of channels) subscribed.channels.add(channel);
    try {
      await this.shardFor(nodeKey).ssubscribe(...channels);
      this.working = true;
      this.retryDelayMs = RETRY_MIN_MS;
    } catch (error) {
      this.lose(`SSUBSCRIBE failed: ${(error as Error).message}`);
      throw error;
    }
  }

  private shardFor(nodeKey: string): Redis {
    let shard = this.shards.get(nodeKey);
    if (shard) return shard;
    const colon = nodeKey.lastIndexOf(':');
    shard = new Redis({
      ...this.options,
      host: nodeKey.slice(0, colon),
      port: Number(nodeKey.slice(colon + 1)),
      // This class reconnects, after a loss, to whichever primary then holds the slots.
      retryStrategy: () => null,
      autoResubscribe: false,
      maxRetriesPerRequest: 0,
      // With the pings: a shard whose link died silently is a loss like any other.
      socketTimeout: SUBSCRIBER_SOCKET_TIMEOUT_MS,
    });
    pingWhileReady(shard);
    shard.on('smessage', (channel: string, message: string) => this.emit('message', channel, message));
    shard.on('error', (error: Error) => this.lose(`shard ${nodeKey}: ${error.message}`));
    shard.on('close', () => this.lose(`shard ${nodeKey} closed`));
    this.shards.set(nodeKey, shard);
    return shard;
  }

  /** After any slot-map refresh: a subscribed slot now held by another primary is a loss. */
  private checkSlotMap(): void {
    if (this.status !== 'ready') return;
    for (const [slot, subscribed] of this.slots) {
      if (subscribed.channels.size > 0 && this.cluster.slots[slot]?.[0] !== subscribed.nodeKey) {
        this.lose(`slot ${slot} moved from ${subscribed.nodeKey} to ${this.cluster.slots[slot]?.[0] ?? 'nowhere'}`);
        return;
      }
    }
  }

  private lose(reason: string): void {
    if (this.status !== 'ready') return;
    this.status = 'lost';
    this.logger[this.working ? 'warn' : 'debug']({ reason }, 'sharded subscriptions lost; subscribing again once the cluster answers');
    this.working = false;
    this.closeShards();
    this.emit('close');
    this.becomeReadyWhenSlotsKnown();
  }

  private closeShards(): void {
    for (const shard of this.shards.values()) {
      shard.removeAllListeners();
      shard.on('error', () => undefined);
      shard.disconnect();
    }
    this.shards.clear();
    this.slots.clear();
  }

  /** Asks for a fresh slot map (retrying with backoff) and becomes ready once there is one. */
  private becomeReadyWhenSlotsKnown(): void {
    clearTimeout(this.retryTimer);
    const attempt = (): void => {
      if (this.status === 'end') return;
      if (this.cluster.status !== 'ready') return retry();
      this.cluster.refreshSlotsCache((error) => {
        if (this.status === 'end') return;
        if (error) return retry();
        this.status = 'ready';
        this.emit('ready');
      });
    };
    const retry = (): void => {
      this.retryTimer = setTimeout(attempt, this.retryDelayMs);
      this.retryTimer.unref();
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
    };
    if (this.status === 'lost') retry();
    else attempt();
  }
}
