import { z } from 'zod';
import { role } from './roles.js';

/**
 * Who an unacknowledged urgent alert goes to after its last repeat: nobody, the members of a
 * role who are on duty at that moment, or one named colleague (a backup).
 */
export const escalationTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('role'), role }),
  z.object({ kind: z.literal('user'), userId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
]);
export type EscalationTarget = z.infer<typeof escalationTarget>;

/**
 * The clinic's alerting policy, set by an admin. An urgent alert copies interval, repeats and
 * target when it is sent, so a change does not alter alerts already under way.
 */
export const alertSettings = z.object({
  /** How long an urgent alert waits for an acknowledgement before it is repeated (and escalated). */
  repeatIntervalSeconds: z.number().int().min(1).max(24 * 3600),
  /** Repeats before escalation ("Repeat 2 of 3"); 0 escalates after the first interval. */
  repeats: z.number().int().min(0).max(10),
  escalationTarget,
  /** Urgent messages and reminders break through a desk's do-not-disturb and quiet hours. */
  urgentPassesDoNotDisturb: z.boolean(),
  /** Receipts and the delivery audit are kept this long. */
  auditRetentionDays: z.number().int().min(1).max(3650),
});
export type AlertSettings = z.infer<typeof alertSettings>;

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  repeatIntervalSeconds: 120,
  repeats: 3,
  escalationTarget: { kind: 'role', role: 'nurse' },
  urgentPassesDoNotDisturb: true,
  auditRetentionDays: 90,
};

export const alertSettingsPatch = alertSettings
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
export type AlertSettingsPatch = z.infer<typeof alertSettingsPatch>;

export interface AlertSettingsResponse {
  settings: AlertSettings;
}
