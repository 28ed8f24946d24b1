import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../common/api.js';
import { ApiError } from '../../renderer/src/api/api-error.js';
import { SendQueue } from '../../renderer/src/send-queue/send-queue.js';
import { sessionSendQueueStorage } from '../../renderer/src/send-queue/send-queue-storage.js';
import { message } from './support/render-app.js';

interface Attempt {
  conversationId: number;
  text: string;
  clientMessageId: string;
  resolve(message: Message): void;
  reject(error: unknown): void;
}

/** A server that answers each post when the test says so. */
function scriptedServer() {
  const attempts: Attempt[] = [];
  let nextId = 100;
  const send = (conversationId: number, body: { text: string; clientMessageId: string }) =>
    new Promise<Message>((resolve, reject) =>
      attempts.push({ conversationId, ...body, resolve, reject }),
    );
  const confirm = (attempt: Attempt | undefined) =>
    attempt?.resolve(
      message(nextId++, {
        conversationId: attempt.conversationId,
        text: attempt.text,
        clientMessageId: attempt.clientMessageId,
        senderId: 1,
      }),
    );
  return { attempts, send, confirm };
}

const unreachable = () => new ApiError(0, 'network_error', 'The clinic server cannot be reached.');
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  sessionStorage.clear();
  vi.useRealTimers();
});

describe("a desk's send queue", () => {
  it('sends in the order written, one at a time, each with its own clientMessageId', async () => {
    const server = scriptedServer();
    const queue = new SendQueue({ send: server.send, storage: sessionSendQueueStorage(1) });
    queue.start();
    const sent: string[] = [];
    queue.onSent((confirmed) => sent.push(confirmed.text));
    queue.enqueue(7, 'first');
    queue.enqueue(8, 'second');
    expect(server.attempts.map((attempt) => attempt.text)).toEqual(['first']);
    expect(queue.messages.map((item) => item.status)).toEqual(['sending', 'queued']);

    server.confirm(server.attempts[0]);
    await settle();
    expect(server.attempts.map((attempt) => attempt.text)).toEqual(['first', 'second']);
    server.confirm(server.attempts[1]);
    await settle();
    expect(sent).toEqual(['first', 'second']);
    expect(queue.messages).toEqual([]);
    const ids = server.attempts.map((attempt) => attempt.clientMessageId);
    expect(new Set(ids).size).toBe(2);
  });

  it('keeps messages queued while the server does not answer and sends them, in order and under the same ids, once it does', async () => {
    vi.useFakeTimers();
    const server = scriptedServer();
    const queue = new SendQueue({
      send: server.send,
      storage: sessionSendQueueStorage(1),
      retryDelay: () => 60_000,
    });
    queue.start();
    queue.enqueue(7, 'one');
    queue.enqueue(7, 'two');
    server.attempts[0]?.reject(unreachable());
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.messages.map((item) => item.status)).toEqual(['queued', 'queued']);
    expect(queue.messages[0]?.error).toMatch(/sent as soon as it answers/);
    // Nothing overtakes the first message while it waits.
    expect(server.attempts).toHaveLength(1);

    // The event stream reconnected: the server answers again.
    queue.kick();
    expect(server.attempts.map((attempt) => attempt.text)).toEqual(['one', 'one']);
    expect(server.attempts[1]?.clientMessageId).toBe(server.attempts[0]?.clientMessageId);
    server.confirm(server.attempts[1]);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.attempts.map((attempt) => attempt.text)).toEqual(['one', 'one', 'two']);
  });

  it('tries again by itself after the retry delay', async () => {
    vi.useFakeTimers();
    const server = scriptedServer();
    const queue = new SendQueue({
      send: server.send,
      storage: sessionSendQueueStorage(1),
      retryDelay: (attempt) => 1_000 * 2 ** attempt,
    });
    queue.start();
    queue.enqueue(7, 'hello');
    server.attempts[0]?.reject(new ApiError(503, 'unavailable', 'retry shortly'));
    await vi.advanceTimersByTimeAsync(999);
    expect(server.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.attempts).toHaveLength(2);
  });

  it('sets aside a message the server refuses, goes on with the next, and sends it again only when asked', async () => {
    const server = scriptedServer();
    const queue = new SendQueue({ send: server.send, storage: sessionSendQueueStorage(1) });
    queue.start();
    queue.enqueue(9, 'to a conversation I left');
    queue.enqueue(7, 'next');
    server.attempts[0]?.reject(new ApiError(404, 'not_found', 'no conversation 9'));
    await settle();
    expect(queue.messages[0]).toMatchObject({ status: 'failed', error: 'no conversation 9' });
    expect(server.attempts.map((attempt) => attempt.text)).toEqual([
      'to a conversation I left',
      'next',
    ]);
    server.confirm(server.attempts[1]);
    await settle();
    queue.retry(queue.messages[0]?.clientMessageId ?? '');
    expect(server.attempts).toHaveLength(3);
    expect(server.attempts[2]?.clientMessageId).toBe(server.attempts[0]?.clientMessageId);
  });

  it('survives a reload: what was queued or on its way is sent again by the next page, under the same id', async () => {
    const server = scriptedServer();
    const before = new SendQueue({ send: server.send, storage: sessionSendQueueStorage(1) });
    before.start();
    before.enqueue(7, 'written before the reload');
    before.enqueue(7, 'and this one');
    const firstId = server.attempts[0]?.clientMessageId;
    // The page goes away with the first post unanswered.
    before.stop();

    const after = new SendQueue({ send: server.send, storage: sessionSendQueueStorage(1) });
    expect(after.messages.map((item) => [item.text, item.status])).toEqual([
      ['written before the reload', 'queued'],
      ['and this one', 'queued'],
    ]);
    after.start();
    expect(server.attempts.at(-1)?.clientMessageId).toBe(firstId);
    // Another person signed in on the same tab has a queue of their own.
    expect(
      new SendQueue({ send: server.send, storage: sessionSendQueueStorage(2) }).messages,
    ).toEqual([]);
  });

  it('drops a message whose confirmed copy arrived by event while its post was unanswered', async () => {
    const server = scriptedServer();
    const queue = new SendQueue({ send: server.send, storage: sessionSendQueueStorage(1) });
    queue.start();
    const clientMessageId = queue.enqueue(7, 'hi');
    queue.confirm(clientMessageId);
    expect(queue.messages).toEqual([]);
    server.confirm(server.attempts[0]);
    await settle();
    expect(queue.messages).toEqual([]);
  });
});
