import type { ServerContext } from '../context.js';
import { RedisLossWindow } from '../redis-loss-window.js';
import { NoticeStore, noticeDedupeKey } from './notice-store.js';

/** How long after a failed publish the unsent notices are tried again, when Redis stays connected. */
const RETRY_DELAY_MS = 2_000;

/** The resender of each server context, so the notice route can hand it a notice it could not finish. */
const resenders = new WeakMap<ServerContext, NoticeResender>();

/** The context's resender: the one the server constructed, or (when none was) a new one. */
export function noticeResenderFor(ctx: ServerContext): NoticeResender {
  return resenders.get(ctx) ?? new NoticeResender(ctx);
}

/**
 * Publishes again, at start and whenever the Redis connection is ready again, the notices sent
 * within REDIS_LOSS_WINDOW_SECONDS of the connection's trouble (redis-loss-window.ts), and finishes every notice not yet marked sent (a publish that
 * failed part-way or timed out, a process that died mid-publish). Each batch of a notice carries
 * a dedupe key, so this is a no-op for every batch Redis still holds and sends only the others.
 */
export class NoticeResender {
  private readonly store: NoticeStore;
  private readonly lossWindow: RedisLossWindow;
  private running: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly onRedisReady = () => this.resend();

  constructor(private readonly ctx: ServerContext) {
    this.store = new NoticeStore(ctx.db);
    this.lossWindow = new RedisLossWindow(ctx.redis, ctx.config.redisLossWindowSeconds * 1000);
    resenders.set(ctx, this);
  }

  start(): void {
    this.lossWindow.watch();
    this.ctx.redis.on('ready', this.onRedisReady);
    if (this.ctx.redis.status === 'ready') this.resend();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.lossWindow.close();
    this.ctx.redis.off('ready', this.onRedisReady);
    await this.running;
  }

  /** A notice could not be finished: try the unsent ones again shortly, whether or not Redis reconnects. */
  resendSoon(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.resend();
    }, RETRY_DELAY_MS);
    this.retryTimer.unref();
  }

  private resend(): void {
    this.running = this.running.then(async () => {
      const repair = this.lossWindow.beginRepair();
      try {
        for (const notice of this.store.sentSince(repair.since)) {
          // What Redis really lost goes out marked as copies: not shown again on a desk that had it.
          await this.ctx.publisher.publishToMany(notice.recipients, notice.payload, {
            dedupeKey: noticeDedupeKey(notice),
            ...(notice.firstEventIds ? { firstIds: notice.firstEventIds } : {}),
          });
        }
        for (const notice of this.store.unsent()) {
          const eventIds = await this.ctx.publisher.publishToMany(notice.recipients, notice.payload, { dedupeKey: noticeDedupeKey(notice) });
          this.store.markSent(notice.id, eventIds);
          this.ctx.logger.info({ noticeId: notice.id, recipients: notice.recipients.length }, 'system notification finished after a failed publish');
        }
        repair.done();
      } catch (error) {
        this.ctx.logger.warn({ err: (error as Error).message }, 'could not check recent notices against Redis; tried again shortly');
        this.resendSoon();
      }
    });
  }
}
