import type { Redis, Result } from 'ioredis';

/** Sorted set of `<alertId>:<step>` scored by when that step of the alert falls due (ms). */
export const ESCALATIONS_DUE_KEY = 'alerts:escalations:due';

/**
 * KEYS: the sorted set; ARGV: now (ms), most to take. Takes the due members out in one atomic
 * step: whoever gets a member back is the one process to try that step (SQLite then decides
 * whether it still may).
 */
const CLAIM_DUE_SCRIPT = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    clinicPulseClaimDueEscalations(key: string, nowMs: number, limit: number): Result<string[], Context>;
  }
}

export interface DueStep {
  alertId: number;
  step: number;
  dueMs: number;
}

const member = (step: { alertId: number; step: number }) => `${step.alertId}:${step.step}`;

/** The Redis side of repeats and escalations: what is due when, and the claim. */
export class EscalationQueue {
  constructor(private readonly redis: Redis) {
    redis.defineCommand('clinicPulseClaimDueEscalations', { numberOfKeys: 1, lua: CLAIM_DUE_SCRIPT });
  }

  async schedule(step: DueStep): Promise<void> {
    await this.redis.zadd(ESCALATIONS_DUE_KEY, step.dueMs, member(step));
  }

  /** Adds the steps not in the set yet; one claimed but never carried out comes back this way. */
  async seed(steps: readonly DueStep[]): Promise<void> {
    const CHUNK = 500;
    for (let start = 0; start < steps.length; start += CHUNK) {
      const args = steps.slice(start, start + CHUNK).flatMap((step) => [step.dueMs, member(step)]);
      await this.redis.zadd(ESCALATIONS_DUE_KEY, 'NX', ...args);
    }
  }

  async claimDue(nowMs: number, limit: number): Promise<{ alertId: number; step: number }[]> {
    const claimed = await this.redis.clinicPulseClaimDueEscalations(ESCALATIONS_DUE_KEY, nowMs, limit);
    return claimed.flatMap((text) => {
      const [alertId, step] = text.split(':').map(Number);
      return Number.isSafeInteger(alertId) && Number.isSafeInteger(step) ? [{ alertId: alertId!, step: step! }] : [];
    });
  }
}
