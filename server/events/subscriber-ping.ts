import type { Redis } from 'ioredis';

/**
 * How often an idle subscriber connection proves it is alive. With its `socketTimeout`
 * (SUBSCRIBER_SOCKET_TIMEOUT_MS), a link that died silently is noticed within about these two
 * together.
 */
export const SUBSCRIBER_PING_MS = 1_000;

/**
 * How long a subscriber waits for the answer to a PING before it counts the link as dead. Longer
 * than a command's timeout: a process starved of CPU for a second (a loaded machine) runs its
 * timers before it reads the answer waiting on the socket, and a false loss ends every stream.
 */
export const SUBSCRIBER_SOCKET_TIMEOUT_MS = 3_000;

/**
 * A subscriber connection only listens, so a link that died without a word (a pulled cable, a
 * host cut off from Redis, a firewall dropping the flow) looks healthy for ever: nothing is
 * written, so nothing fails, and the streams it feeds stay open, sending heartbeats and no events.
 * A PING now and then makes it write. The connection must be made with `socketTimeout`: ioredis
 * then destroys a socket that brings nothing back in time, and the `close` that follows ends the
 * streams as any other loss of the subscriber does, so clients resume (elsewhere) from history.
 */
export function pingWhileReady(connection: Redis, intervalMs = SUBSCRIBER_PING_MS): void {
  const timer = setInterval(() => {
    // Checked here rather than on `end`: the sharded subscriber strips a closed shard's listeners.
    if (connection.status === 'end') clearInterval(timer);
    else if (connection.status === 'ready') connection.ping().catch(() => undefined);
  }, intervalMs);
  timer.unref();
}
