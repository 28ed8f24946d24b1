import { performance } from 'node:perf_hooks';
import type { AlertStatusPayload } from '../../common/events.js';
import type { ServerContext } from '../context.js';
import type { UserEvent } from '../events/event-publisher.js';
import { AlertStatusReader } from './alert-status-reader.js';
import { receiptPacingFor } from './receipt-pacing.js';

export interface AlertStatusPublisherOptions {
  /** How long changes to one alert are gathered before its sender hears of them. */
  coalesceMs?: number;
  /** How long one slice of a flush may hold the event loop before its statuses go out. */
  sliceMs?: number;
  /** Gathers at least this long (ms), read at each first touch: see alertStatusPublisherFor. */
  coalesceAtLeast?: () => number;
}

const DEFAULT_COALESCE_MS = 250;
/**
 * A status is a few SQLite reads and a recipient list; a flush after a busy quarter second
 * touches a hundred alerts, and read in one go that held every stream's writes for 10 ms and
 * more (the tail of bench scenario 9). Slices keep each hold short.
 */
const DEFAULT_SLICE_MS = 2;

const publishers = new WeakMap<ServerContext, AlertStatusPublisher>();

/** The context's status publisher, made on first use. */
export function alertStatusPublisherFor(ctx: ServerContext): AlertStatusPublisher {
  let publisher = publishers.get(ctx);
  if (!publisher) {
    // Desks spaced out by the server report each alert's receipts over that spacing: statuses
    // gathered at the usual quarter second would be re-read a dozen times in one spacing (a
    // recipient list each), for a sender who learns of them that much later anyway.
    const pacing = receiptPacingFor(ctx);
    publisher = new AlertStatusPublisher(ctx, {
      coalesceMs: ctx.config.alertStatusCoalesceMs,
      coalesceAtLeast: () => pacing.spacingMs / 2,
    });
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
 * the REST status, which clients reload after a resync. Only a message's alerts are published:
 * the thread is where a status is shown live, and a notice to fifty people re-read and published
 * at each of their reports took 15 % of the event loop in bench scenario 9 for events no desk
 * shows.
 */
export class AlertStatusPublisher {
  private readonly reader: AlertStatusReader;
  private readonly coalesceMs: number;
  private readonly sliceMs: number;
  private readonly coalesceAtLeast: () => number;
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
    this.sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    this.coalesceAtLeast = options.coalesceAtLeast ?? (() => 0);
  }

  touch(alertIds: Iterable<number>): void {
    if (this.stopped) return;
    for (const id of alertIds) this.dirty.add(id);
    if (this.dirty.size === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // After the flush still under way, so that no older status of an alert is published last.
      const flushing = (this.flushing ?? Promise.resolve()).then(() => this.flush());
      this.flushing = flushing;
      void flushing.finally(() => {
        if (this.flushing === flushing) this.flushing = null;
      });
    }, Math.max(this.coalesceMs, this.coalesceAtLeast()));
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

  /**
   * Every waiting alert's status, read now, published a slice at a time: one Redis round trip
   * per slice, not one per alert, and the event loop free between slices.
   */
  private async flush(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    const timestamp = new Date().toISOString();
    let next = 0;
    while (next < ids.length) {
      const sliceEnds = performance.now() + this.sliceMs;
      const events: UserEvent[] = [];
      do {
        const event = this.statusEvent(ids[next++]!, timestamp);
        if (event) events.push(event);
      } while (next < ids.length && performance.now() < sliceEnds);
      await this.publish(events);
    }
  }

  private statusEvent(alertId: number, timestamp: string): UserEvent | null {
    try {
      const found = this.reader.threadStatus(alertId);
      if (!found) return null;
      const payload: AlertStatusPayload = { type: 'alert_status', alert_id: String(alertId), status: found.status, timestamp };
      return { userId: found.senderId, payload };
    } catch (error) {
      this.ctx.logger.warn({ err: (error as Error).message, alertId }, 'alert status not read');
      return null;
    }
  }

  private async publish(events: UserEvent[]): Promise<void> {
    if (events.length === 0) {
      // A slice of alerts that are gone: still give the loop its turn before the next.
      await new Promise((resolve) => setImmediate(resolve));
      return;
    }
    try {
      await this.ctx.publisher.publishBatch(events);
    } catch (error) {
      this.ctx.logger.warn({ err: (error as Error).message, alerts: events.length }, 'alert statuses not published');
    }
  }
}
