/**
 * What the event hub needs of its subscriber: one Redis connection (`SUBSCRIBE`), or on a cluster
 * one per shard (`SSUBSCRIBE`, sharded-subscriber.ts). Neither resubscribes by itself: `close`
 * means subscriptions were lost (events published meanwhile would never arrive), `ready` that
 * the subscriber works again, with no channels.
 */
export interface ChannelSubscriber {
  /** `ready` while subscriptions work. */
  readonly status: string;
  /** Resolves once Redis confirmed every channel: no later publish on them can be missed. */
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): this;
  on(event: 'ready' | 'close', listener: () => void): this;
}
