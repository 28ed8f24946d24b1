import type { AlertStatusPayload } from '../../common/events.js';
import type { ServerContext } from '../context.js';
import type { UserEvent } from '../events/event-publisher.js';
import { AlertStatusReader } from './alert-status-reader.js';

export interface AlertStatusPublisherOptions {
  /** How long changes to one alert are gathered before its sender hears of them. */
  coalesceMs?: number;
}

const DEFAULT_COALESCE_MS = 250;

const publishers = new WeakMap<ServerContext, AlertStatusPublisher>();

/** The context's status publisher, made on first use. */
export function alertStatusPublisherFor(ctx: ServerContext): AlertStatusPublisher {
  let publisher = publishers.get(ctx);
  if (!publisher) {
    publisher = new AlertStatusPublisher(ctx, { coalesceMs: ctx.config.alertStatusCoalesceMs });
    publishers.set(ctx, publisher);
  }
  return publisher;
}

/**
 * Tells senders' desks what changed about their alerts with `alert_status`, coalesced: every
 * change to one alert within `coalesceMs` becomes one event carrying the status as SQLite has it
 * then. A desk reporting delivered and shown for a hundred events in one second costs each sender
 * a few events, not two hundred. The status is re-read at publish time, so what is published
 * is never older than what was touched; a lost publish (Redis down) leaves the sender's view to
 * the REST status, which clients reload after a resync.
 */
export class AlertStatusPublisher {
  private readonly reader: AlertStatusReader;
  private readonly coalesceMs: number;
  private readonly dirty = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: ServerContext,
    options: AlertStatusPublisherOptions = {},
  ) {
    this.reader = new AlertStatusReader(ctx.db);
    this.coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
  }

  touch(alertIds: Iterable<number>): void {
    if (this.stopped) return;
    for (const id of alertIds) this.dirty.add(id);
    if (this.dirty.size === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
      });
    }, this.coalesceMs);
    this.timer.unref();
  }

  /** Publishes what is waiting now (on shutdown), then accepts nothing more. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    await this.flush();
    this.stopped = true;
  }

  /** Every waiting alert's status, read now, in one publish: one Redis round trip per flush, not one per alert. */
  private async flush(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    const events: UserEvent[] = [];
    const timestamp = new Date().toISOString();
    for (const alertId of ids) {
      try {
        const parties = this.reader.parties(alertId);
        const status = parties?.senderId == null ? null : this.reader.status(alertId, 'recipients');
        if (!parties || parties.senderId === null || !status) continue;
        const payload: AlertStatusPayload = { type: 'alert_status', alert_id: String(alertId), status, timestamp };
        events.push({ userId: parties.senderId, payload });
      } catch (error) {
        this.ctx.logger.warn({ err: (error as Error).message, alertId }, 'alert status not read');
      }
    }
    if (events.length === 0) return;
    try {
      await this.ctx.publisher.publishBatch(events);
    } catch (error) {
      this.ctx.logger.warn({ err: (error as Error).message, alerts: events.length }, 'alert statuses not published');
    }
  }
}
