/**
 * Whether an error from ioredis means "Redis cannot serve this now" (down, stalled, failing over,
 * still loading), which the API answers with 503 and Retry-After, rather than a bug (500).
 */
const UNAVAILABLE_MESSAGES = [
  'Connection is closed.',
  'Command timed out',
  "Stream isn't writeable",
  // A Redis Cluster reconnecting, failing over or unreachable.
  "Cluster isn't ready",
  'Too many Cluster redirections',
  'None of startup nodes is available',
  'Failed to refresh slots cache',
  'Cluster is disconnected',
  'Node is disconnected',
];
/** Redis's own refusals while it is not able to serve: loading, a replica, failover, a busy script, memory. */
const UNAVAILABLE_REPLIES = /^(LOADING|READONLY|MASTERDOWN|BUSY|OOM|CLUSTERDOWN|TRYAGAIN|NOREPLICAS)\b/;

export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  if (UNAVAILABLE_MESSAGES.some((message) => error.message.startsWith(message))) return true;
  return error.name === 'ReplyError' && UNAVAILABLE_REPLIES.test(error.message);
}

/** After a command failed that way, callers that can do without Redis skip it for this long. */
const FAILURE_HOLD_MS = 5_000;
const lastFailure = new WeakMap<object, number>();

/**
 * Whether to ask Redis at all: connected, and no command of this connection failed for want of
 * Redis in the last few seconds. A stalled Redis (hung, swapping, SIGSTOPped) keeps its
 * connection "ready"; without this, every request would wait out a command timeout first.
 */
export function redisUsable(redis: { status: string }): boolean {
  return redis.status === 'ready' && Date.now() - (lastFailure.get(redis) ?? 0) >= FAILURE_HOLD_MS;
}

/** Records that a command of this connection failed for want of Redis. */
export function noteRedisFailure(redis: object): void {
  lastFailure.set(redis, Date.now());
}
