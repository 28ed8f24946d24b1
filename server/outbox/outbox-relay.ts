import type { ServerContext } from '../context.js';

/** Publishes the outbox's rows to Redis in id order and deletes each once published. */
export class OutboxRelay {
  constructor(private readonly ctx: ServerContext) {}

  start(): void {}

  async stop(): Promise<void> {}

  async drain(): Promise<number> {
    return 0;
  }

  kick(): void {}
}
