import { escalationTarget, type AlertSettings, type EscalationTarget } from '../../common/alert-settings.js';
import { z } from 'zod';

/**
 * What an urgent alert will do when nobody acknowledges it, copied from the clinic's settings
 * (and the sender's choice of target) when it is sent, as Grafana OnCall snapshots its chains:
 * an admin changing the settings later does not change an alert already under way.
 */
export const escalationSnapshot = z.object({
  intervalMs: z.number().int().positive(),
  repeats: z.number().int().nonnegative(),
  target: escalationTarget,
  /** Repeats and the escalation pass do-not-disturb as the first alert did. */
  passesDoNotDisturb: z.boolean().default(true),
});
export type EscalationSnapshot = z.infer<typeof escalationSnapshot>;

export function snapshotFor(settings: AlertSettings, chosenTarget: EscalationTarget | undefined): EscalationSnapshot {
  return {
    intervalMs: settings.repeatIntervalSeconds * 1000,
    repeats: settings.repeats,
    target: chosenTarget ?? settings.escalationTarget,
    passesDoNotDisturb: settings.urgentPassesDoNotDisturb,
  };
}

/** Null for a row whose snapshot no longer parses: such an alert is left alone rather than guessed at. */
export function parseSnapshot(text: string | null): EscalationSnapshot | null {
  if (text === null) return null;
  try {
    const parsed = escalationSnapshot.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
