import type { RedisClient } from '../redis-client.js';
import type { PresenceChoice, PresenceEntry, PresenceStatus } from '../../common/presence.js';
import { PRESENCE_REPORT_EVERY_MS } from '../../common/presence.js';

/** A report holds for a little over two report intervals: one late report is not "away". */
export const DEFAULT_PRESENCE_TTL_MS = Math.round(PRESENCE_REPORT_EVERY_MS * 2.5);

/**
 * Every presence key carries the `{presence}` hash tag: the update script touches a person's keys
 * and the shared due set together, so on a Redis Cluster they must all live in one slot (presence
 * is a few small writes per desk a minute: one shard takes it easily).
 */
const DUE_KEY = '{presence}:due';
const desksKey = (userId: number) => `{presence}:${userId}:desks`;
const stateKey = (userId: number) => `{presence}:${userId}:state`;

/**
 * One atomic step for one person: record a desk's report and/or the person's choice, forget
 * desks whose report ran out, work out the status (no desk in use: away; otherwise the
 * choice), and say whether it differs from the status last announced, which it then becomes.
 * The compare-and-set is what lets every server process run this, for reports and sweeps alike,
 * and still announce each change once. Times are Redis's clock, the same for every process.
 */
const UPDATE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if ARGV[2] ~= '' then
  if ARGV[3] == '1' then
    redis.call('ZADD', KEYS[1], string.format('%d', now + tonumber(ARGV[4])), ARGV[2])
  else
    redis.call('ZREM', KEYS[1], ARGV[2])
  end
end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], 'choice', ARGV[5]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))
local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local choice = redis.call('HGET', KEYS[2], 'choice') or 'available'
local status = 'away'
if #latest == 0 then
  redis.call('ZREM', KEYS[3], ARGV[1])
else
  local expires = string.format('%d', tonumber(latest[2]))
  redis.call('PEXPIREAT', KEYS[1], expires)
  redis.call('ZADD', KEYS[3], expires, ARGV[1])
  status = choice
end
local announced = redis.call('HGET', KEYS[2], 'announced') or 'away'
if announced == status then return {status, choice, 0} end
redis.call('HSET', KEYS[2], 'announced', status)
return {status, choice, 1}
`;

export interface PresenceUpdate {
  userId: number;
  status: PresenceStatus;
  choice: PresenceChoice;
  /** The status differs from the one last announced: colleagues must hear of it. */
  changed: boolean;
}

/**
 * Presence in Redis, where every server process sees it: per person the desks in use (a sorted
 * set, each desk scored by when its last report runs out), their choice and the status last
 * announced; and one set of the people with a desk in use, by when that runs out, for the
 * sweep that finds desks that stopped reporting (asleep, closed, unplugged).
 */
export class PresenceStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs: number = DEFAULT_PRESENCE_TTL_MS,
  ) {}

  /** A desk says it is in use (`active`) or idle. */
  report(userId: number, deskId: string, active: boolean): Promise<PresenceUpdate> {
    return this.update(userId, deskId, active, '');
  }

  /** The person chose available or busy, on a desk that is thereby in use. */
  choose(userId: number, deskId: string, choice: PresenceChoice): Promise<PresenceUpdate> {
    return this.update(userId, deskId, true, choice);
  }

  /** People whose last desk report has run out: their status is worked out again. */
  async sweep(limit = 500): Promise<PresenceUpdate[]> {
    const time = await this.redis.time();
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    const due = await this.redis.zrangebyscore(DUE_KEY, '-inf', now, 'LIMIT', 0, limit);
    const updates: PresenceUpdate[] = [];
    for (const member of due) updates.push(await this.update(Number(member), '', false, ''));
    return updates;
  }

  /** Everyone not away, and the person's own choice. */
  async list(ownUserId: number): Promise<{ presence: PresenceEntry[]; choice: PresenceChoice }> {
    const userIds = (await this.redis.zrange(DUE_KEY, 0, -1)).map(Number);
    const pipeline = this.redis.pipeline();
    for (const userId of userIds) pipeline.hget(stateKey(userId), 'announced');
    pipeline.hget(stateKey(ownUserId), 'choice');
    const replies = (await pipeline.exec()) ?? [];
    const values = replies.map(([error, value]) => {
      if (error) throw error;
      return value as string | null;
    });
    const presence: PresenceEntry[] = [];
    userIds.forEach((userId, index) => {
      const status = values[index];
      if (status === 'available' || status === 'busy') presence.push({ userId, status });
    });
    return { presence, choice: values.at(-1) === 'busy' ? 'busy' : 'available' };
  }

  private async update(
    userId: number,
    deskId: string,
    active: boolean,
    choice: PresenceChoice | '',
  ): Promise<PresenceUpdate> {
    const [status, chosen, changed] = (await this.redis.eval(
      UPDATE_SCRIPT,
      3,
      desksKey(userId),
      stateKey(userId),
      DUE_KEY,
      String(userId),
      deskId,
      active ? '1' : '0',
      String(this.ttlMs),
      choice,
    )) as [PresenceStatus, PresenceChoice, number];
    return { userId, status, choice: chosen, changed: changed === 1 };
  }
}
