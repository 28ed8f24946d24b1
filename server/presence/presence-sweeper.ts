import type { ServerContext } from '../context.js';
import { redisUsable } from '../redis-unavailable.js';
import { announcePresence } from './presence-announcer.js';
import { PresenceStore } from './presence-store.js';

const SWEEP_EVERY_MS = 5_000;

/**
 * Finds desks that stopped reporting (asleep, closed, unplugged) and announces their people
 * away. Every server process sweeps; the store's compare-and-set announces each change once.
 */
export class PresenceSweeper {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly store: PresenceStore;
  private readonly everyMs: number;

  constructor(
    private readonly ctx: ServerContext,
    options: { store?: PresenceStore; everyMs?: number } = {},
  ) {
    this.store = options.store ?? new PresenceStore(ctx.redis);
    this.everyMs = options.everyMs ?? SWEEP_EVERY_MS;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.sweep());
    }, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async sweep(): Promise<void> {
    if (!redisUsable(this.ctx.redis)) return;
    try {
      await announcePresence(this.ctx, await this.store.sweep());
    } catch (error) {
      this.ctx.logger.warn({ err: (error as Error).message }, 'presence sweep failed; retried');
    }
  }
}
