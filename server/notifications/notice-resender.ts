import type { ServerContext } from '../context.js';
import { NoticeStore, noticeDedupeKey } from './notice-store.js';

/**
 * Publishes again, at start and whenever the Redis connection is ready again, the notices sent
 * within REDIS_LOSS_WINDOW_SECONDS: each batch of a notice carries a dedupe key, so this is a
 * no-op for every batch Redis still holds and sends the ones it lost with its last writes.
 */
export class NoticeResender {
  private readonly store: NoticeStore;
  private running: Promise<void> = Promise.resolve();
  private readonly onRedisReady = () => this.resend();

  constructor(private readonly ctx: ServerContext) {
    this.store = new NoticeStore(ctx.db);
  }

  start(): void {
    this.ctx.redis.on('ready', this.onRedisReady);
    if (this.ctx.redis.status === 'ready') this.resend();
  }

  async stop(): Promise<void> {
    this.ctx.redis.off('ready', this.onRedisReady);
    await this.running;
  }

  private resend(): void {
    this.running = this.running.then(async () => {
      const since = new Date(Date.now() - this.ctx.config.redisLossWindowSeconds * 1000);
      try {
        for (const notice of this.store.sentSince(since)) {
          await this.ctx.publisher.publishToMany(notice.recipients, notice.payload, { dedupeKey: noticeDedupeKey(notice.id) });
        }
      } catch (error) {
        this.ctx.logger.warn({ err: (error as Error).message }, 'could not check recent notices against Redis; retried when it is ready again');
      }
    });
  }
}
