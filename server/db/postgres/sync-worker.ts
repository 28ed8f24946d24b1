import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/**
 * Calls into a worker thread and blocks until it answers: the worker posts its reply on a
 * MessagePort, then wakes this thread through a shared Int32Array (Atomics.wait/notify), and
 * the reply is taken off the port synchronously (receiveMessageOnPort).
 *
 * synckit does the same but cannot load a TypeScript worker on Node 20 (a worker's `--import`
 * loader does not apply to its entry there), so the worker is started through tsx's require
 * hook instead, which does.
 */
export interface WorkerChannel {
  port: MessagePort;
  /** [0] is set to 1 and notified when a reply has been posted. */
  signal: Int32Array;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: { message: string; code?: string };
}

const require = createRequire(import.meta.url);

export class SyncWorker {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;

  constructor(entry: string) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const tsx = require.resolve('tsx/cjs/api');
    const source = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`;
    this.worker = new Worker(source, {
      eval: true,
      workerData: { port: port2, signal: this.signal } satisfies WorkerChannel,
      transferList: [port2],
    });
    // The worker never keeps the process alive on its own.
    this.worker.unref();
    this.port.unref();
  }

  /** The worker's answer to `request`; throws its error, or after `timeoutMs` without an answer. */
  call(request: object, timeoutMs: number): unknown {
    const id = this.nextId++;
    Atomics.store(this.signal, 0, 0);
    this.port.postMessage({ id, request });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw Object.assign(new Error(`no answer from the database worker within ${timeoutMs} ms`), { code: 'CLINICPULSE_WORKER_TIMEOUT' });
      Atomics.wait(this.signal, 0, 0, Math.min(remaining, 50));
      for (let received = receiveMessageOnPort(this.port); received; received = receiveMessageOnPort(this.port)) {
        const reply = received.message as Reply;
        // An answer to a call that timed out earlier is dropped.
        if (reply.id !== id) continue;
        if (reply.error) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
        return reply.result;
      }
      Atomics.store(this.signal, 0, 0);
    }
  }
}

/** The worker's side: answers each request in turn with `answer`, errors included. */
export function serveSyncCalls(channel: WorkerChannel, answer: (request: never) => Promise<unknown>): void {
  let queue = Promise.resolve();
  channel.port.on('message', ({ id, request }: { id: number; request: never }) => {
    queue = queue.then(async () => {
      let reply: Reply;
      try {
        reply = { id, result: await answer(request) };
      } catch (error) {
        const { message, code } = error as { message?: unknown; code?: unknown };
        reply = { id, error: { message: String(message ?? error), ...(typeof code === 'string' ? { code } : {}) } };
      }
      channel.port.postMessage(reply);
      Atomics.store(channel.signal, 0, 1);
      Atomics.notify(channel.signal, 0);
    });
  });
}
