import type { RedisClient } from '../redis-client.js';
import { DueSet, type DueEntry } from '../scheduling/due-set.js';

/** Sorted set of `<alertId>:<step>` scored by when that step of the alert falls due (ms). */
export const ESCALATIONS_DUE_KEY = 'alerts:escalations:due';

export interface DueStep {
  alertId: number;
  step: number;
  dueMs: number;
}

/** A step as a member of the set. */
export const stepEntry = (step: DueStep): DueEntry => ({ member: `${step.alertId}:${step.step}`, dueMs: step.dueMs });

/** The step a member names; null for a member that is none. */
export function stepOf(member: string): { alertId: number; step: number } | null {
  const [alertId, step] = member.split(':').map(Number);
  return Number.isSafeInteger(alertId) && Number.isSafeInteger(step) ? { alertId: alertId!, step: step! } : null;
}

/**
 * The Redis side of repeats and escalations: what is due when, and the claim (whoever gets a
 * member back is the one process to try that step; SQLite then decides whether it still may).
 */
export class EscalationQueue {
  readonly set: DueSet;

  constructor(redis: RedisClient) {
    this.set = new DueSet(redis, ESCALATIONS_DUE_KEY);
  }

  schedule(step: DueStep): Promise<void> {
    return this.set.schedule(stepEntry(step));
  }

  /** Adds the steps not in the set yet; one claimed but never carried out comes back this way. */
  seed(steps: readonly DueStep[]): Promise<void> {
    return this.set.seed(steps.map(stepEntry));
  }

  async claimDue(nowMs: number, limit: number): Promise<{ alertId: number; step: number }[]> {
    return (await this.set.claimDue(nowMs, limit)).flatMap((member) => stepOf(member) ?? []);
  }
}
