import type { Message, MessageOptions, MessageQuote } from '../../../common/api.js';
import { ApiError, describeError } from '../api/api-error.js';
import { Listeners } from '../events/event-feed.js';
import { newClientMessageId } from '../lib/client-message-id.js';
import type { QueuedMessage } from './queued-message.js';
import type { SendQueueStorage } from './send-queue-storage.js';

export interface SendQueueOptions {
  /** Posts one message; resolves with the server's copy. */
  send(
    conversationId: number,
    body: { text: string; clientMessageId: string } & Partial<MessageOptions>,
  ): Promise<Message>;
  storage: SendQueueStorage;
  /** Wait before trying again after the server did not answer; `attempt` counts from 0. */
  retryDelay?: (attempt: number) => number;
}

const WAITING = 'Waiting for the clinic server; it is sent as soon as it answers.';

/** 1 s, 2 s, 4 s … 15 s: the page also retries at once whenever the event stream reconnects. */
function defaultRetryDelay(attempt: number): number {
  return Math.min(15_000, 1_000 * 2 ** attempt);
}

/**
 * A failure that says nothing about the message itself: no network, the server or Redis down,
 * a rate limit, a session to sign in again. The message waits and goes out later, in its place.
 */
function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  if (error.code === 'validation_failed' && error.status === 0) return false;
  return (
    error.status === 0 ||
    error.status === 401 ||
    error.status === 408 ||
    error.status === 429 ||
    error.status >= 500
  );
}

/**
 * Messages written on this desk, sent one at a time in the order they were written, each with
 * the `clientMessageId` it got when written (the server stores a message once however often it
 * is posted). While the server does not answer they wait, kept in storage across a reload, and
 * go out as soon as it answers again — by the retry timer, or at once when `kick()` says the
 * connection is back. A message the server refuses (say, a conversation the person was removed
 * from) is set aside as failed, and the ones after it go on.
 */
export class SendQueue {
  private items: QueuedMessage[];
  private readonly changes = new Listeners<readonly QueuedMessage[]>();
  private readonly sent = new Listeners<Message>();
  private draining = false;
  private stopped = true;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly retryDelay: (attempt: number) => number;

  constructor(private readonly options: SendQueueOptions) {
    this.items = options.storage.load();
    this.retryDelay = options.retryDelay ?? defaultRetryDelay;
  }

  /** Every message not yet confirmed, oldest first. The same array until something changes. */
  get messages(): readonly QueuedMessage[] {
    return this.items;
  }

  readonly onChange = (listener: () => void) => this.changes.add(listener);

  /** The server's copy of each message this queue got through. */
  onSent(listener: (message: Message) => void) {
    return this.sent.add(listener);
  }

  /** Queues a message; returns its clientMessageId. */
  enqueue(
    conversationId: number,
    text: string,
    options: MessageOptions & { replyTo?: MessageQuote } = { priority: 'routine' },
    now = new Date(),
  ): string {
    const clientMessageId = newClientMessageId();
    this.update([
      ...this.items,
      {
        clientMessageId,
        conversationId,
        text,
        priority: options.priority,
        ...(options.escalateTo ? { escalateTo: options.escalateTo } : {}),
        queuedAt: now.toISOString(),
        status: 'queued',
        error: null,
        ...(options.replyTo ? { replyTo: options.replyTo } : {}),
      },
    ]);
    void this.drain();
    return clientMessageId;
  }

  /** Sends a refused message again (the person asked), in its place at the end of the queue. */
  retry(clientMessageId: string): void {
    const item = this.items.find((candidate) => candidate.clientMessageId === clientMessageId);
    if (!item || item.status !== 'failed') return;
    this.update([
      ...this.items.filter((candidate) => candidate !== item),
      { ...item, status: 'queued', error: null },
    ]);
    this.kick();
  }

  discard(clientMessageId: string): void {
    this.update(this.items.filter((item) => item.clientMessageId !== clientMessageId));
  }

  /** Forgets every message (signing out on a shared workstation). */
  discardAll(): void {
    this.update([]);
  }

  /** Its confirmed copy arrived another way (the sender's own `message_sent` event). */
  confirm(clientMessageId: string): void {
    if (!this.items.some((item) => item.clientMessageId === clientMessageId)) return;
    this.discard(clientMessageId);
  }

  /** The server answers again: try now instead of waiting out the retry timer. */
  kick(): void {
    if (this.stopped) return;
    this.clearRetry();
    this.attempt = 0;
    void this.drain();
  }

  /** Starts sending (again, after `stop`). */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.clearRetry();
  }

  private async drain(): Promise<void> {
    if (this.draining || this.stopped) return;
    this.draining = true;
    try {
      for (;;) {
        if (this.stopped) return;
        const next = this.items.find((item) => item.status === 'queued');
        if (!next) return;
        this.change(next.clientMessageId, { status: 'sending', error: null });
        try {
          const message = await this.options.send(next.conversationId, {
            text: next.text,
            clientMessageId: next.clientMessageId,
            priority: next.priority,
            ...(next.escalateTo ? { escalateTo: next.escalateTo } : {}),
            ...(next.replyTo ? { replyToId: next.replyTo.id } : {}),
          });
          this.attempt = 0;
          this.discard(next.clientMessageId);
          this.sent.emit(message);
        } catch (error) {
          if (isTransient(error)) {
            // Everything after it waits too, so nothing overtakes it.
            this.change(next.clientMessageId, { status: 'queued', error: WAITING });
            this.scheduleRetry();
            return;
          }
          this.change(next.clientMessageId, { status: 'failed', error: describeError(error) });
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.drain();
    }, this.retryDelay(this.attempt++));
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private change(clientMessageId: string, change: Partial<QueuedMessage>): void {
    this.update(
      this.items.map((item) =>
        item.clientMessageId === clientMessageId ? { ...item, ...change } : item,
      ),
    );
  }

  private update(items: QueuedMessage[]): void {
    this.items = items;
    this.options.storage.save(items);
    this.changes.emit(items);
  }
}
