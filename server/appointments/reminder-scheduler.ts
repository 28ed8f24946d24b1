import type { ServerContext } from '../context.js';

/** Publishes each appointment reminder once when it falls due, across every server process. */
export class ReminderScheduler {
  constructor(private readonly ctx: ServerContext) {}

  start(): void {}

  async stop(): Promise<void> {}

  async tick(): Promise<number> {
    return 0;
  }
}
