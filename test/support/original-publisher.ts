import { Redis } from 'ioredis';

/**
 * The original system's backend publishing code (`lib/services/notifications.py`, redis-py),
 * command for command: `publish_event_with_buffer` runs `PUBLISH user:<id> <json>`, then
 * `RPUSH user:<id>:events <json>` and `EXPIRE user:<id>:events 3600`, each sent on its own and
 * answered before the next, with the JSON as Python's `json.dumps` writes it. It knows nothing
 * of ClinicPulse: no id, no script.
 */
export class OriginalPublisher {
  private readonly redis: Redis;

  constructor(redisUrl: string) {
    this.redis = new Redis(redisUrl);
  }

  /** `publish_event_with_buffer(user_id, event_data)`. */
  async publishEventWithBuffer(userId: number | string, eventData: PythonValue): Promise<void> {
    await this.publishEvent(userId, eventData);
    await this.storeEvent(userId, eventData);
  }

  /** `publish_event(user_id, event_data)`: live only. */
  async publishEvent(userId: number | string, eventData: PythonValue): Promise<void> {
    await this.redis.publish(`user:${userId}`, pythonJsonDumps(eventData));
  }

  /** `store_event(user_id, event_data)`: the replay buffer only. */
  async storeEvent(userId: number | string, eventData: PythonValue): Promise<void> {
    const key = `user:${userId}:events`;
    await this.redis.rpush(key, pythonJsonDumps(eventData));
    await this.redis.expire(key, 60 * 60);
  }

  close(): void {
    this.redis.disconnect();
  }
}

export type PythonValue = string | number | boolean | null | PythonValue[] | { [key: string]: PythonValue };

/**
 * `json.dumps(value)` with Python's defaults: `", "` and `": "` between items, every character
 * outside printable ASCII escaped as `\uXXXX` (ensure_ascii), keys in insertion order.
 */
export function pythonJsonDumps(value: PythonValue): string {
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${pythonJsonDumps(key)}: ${pythonJsonDumps(item)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  return JSON.stringify(value);
}

let lastMicroseconds = 0;

/**
 * `str(time.time())`, as the original's test endpoints and scripts stamp their events: seconds
 * with microseconds, so two events published one after the other never share one (as they
 * could at the millisecond resolution of `Date.now()`).
 */
export function pythonTimeNow(): string {
  const microseconds = Math.max(Math.round((performance.timeOrigin + performance.now()) * 1000), lastMicroseconds + 1);
  lastMicroseconds = microseconds;
  return (microseconds / 1_000_000).toFixed(6);
}
