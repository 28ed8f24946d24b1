import { z } from 'zod';
import { role } from './roles.js';

/**
 * The alerting protocol shared by every process: how urgent something is, what a desk reports
 * about it, and the status a sender sees per recipient and desk.
 */

export const PRIORITIES = ['routine', 'urgent'] as const;
export const priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof priority>;

/** What an alert is about: a message, an appointment reminder, a clinic notice, an escalation. */
export const ALERT_KINDS = ['message', 'reminder', 'notice', 'escalation'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * What a desk reports about one alert. `delivered`: a client of the recipient received the
 * event; `shown`: a pop-up or banner was raised, or the message was rendered in a window on
 * screen; `held`: it was kept back, with the reason. `read` and `acknowledged` are recorded by
 * the server itself (read position, the acknowledge action).
 */
export const REPORTED_RECEIPT_STATES = ['delivered', 'shown', 'held'] as const;
export type ReportedReceiptState = (typeof REPORTED_RECEIPT_STATES)[number];
export const RECEIPT_STATES = [...REPORTED_RECEIPT_STATES, 'read', 'acknowledged'] as const;
export type ReceiptState = (typeof RECEIPT_STATES)[number];

export const HOLD_REASONS = [
  'do_not_disturb',
  'quiet_hours',
  'os_do_not_disturb',
  'notifications_denied',
  'conversation_muted',
] as const;
export const holdReason = z.enum(HOLD_REASONS);
export type HoldReason = z.infer<typeof holdReason>;

/** "do not disturb", for status lines and the audit. */
export const HOLD_REASON_LABELS: Record<HoldReason, string> = {
  do_not_disturb: 'do not disturb',
  quiet_hours: 'quiet hours',
  os_do_not_disturb: "the computer's do not disturb",
  notifications_denied: 'notifications not allowed',
  conversation_muted: 'conversation muted',
};

/** A stable id per installation or browser profile, chosen by the desk itself (a random UUID). */
export const deskId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'desk id: 8–64 letters, digits, dashes or underscores');
/** What staff call the desk: "Nurses' station PC". */
export const deskName = z.string().trim().min(1).max(100);
export const desk = z.object({ id: deskId, name: deskName });
export type Desk = z.infer<typeof desk>;

const alertIdNumber = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const reportedReceipt = z
  .object({
    alertId: alertIdNumber,
    state: z.enum(REPORTED_RECEIPT_STATES),
    /** Why it was held; only with `held`. */
    reason: holdReason.optional(),
    /** Shown although do-not-disturb or quiet hours were on (an urgent alert); only with `shown`. */
    overDoNotDisturb: z.boolean().optional(),
    /** The event the desk received, for the audit. */
    eventId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .refine((receipt) => (receipt.state === 'held') === (receipt.reason !== undefined), {
    message: 'a held receipt needs its reason, and only a held one has one',
    path: ['reason'],
  })
  .refine((receipt) => receipt.overDoNotDisturb === undefined || receipt.state === 'shown', {
    message: 'overDoNotDisturb belongs to a shown receipt',
    path: ['overDoNotDisturb'],
  });
export type ReportedReceipt = z.infer<typeof reportedReceipt>;

/** Desks report in small batches; the server records each state once per alert, user and desk. */
export const MAX_RECEIPTS_PER_REPORT = 500;
export const receiptReport = z.object({
  desk,
  receipts: z.array(reportedReceipt).min(1).max(MAX_RECEIPTS_PER_REPORT),
});
export type ReceiptReport = z.infer<typeof receiptReport>;

export interface ReceiptReportResponse {
  /** States recorded now; a state reported before is not recorded again. */
  recorded: number;
  /**
   * How long the desk waits before its next report (ms; 0: as soon as it has one). When more
   * desks report than the server wants to answer, it spaces their reports out: receipts then
   * reach the senders later, and the events they report on are not held up behind them. A desk
   * with a receipt of an urgent alert waiting reports it without waiting: its sender needs to
   * know within seconds whether it was on screen.
   */
  nextReportInMs: number;
}

const isoTime = z.string().min(1).max(64);

export const deskStatus = z.object({
  deskId: z.string().max(64),
  deskName: z.string().max(100),
  deliveredAt: isoTime.nullable(),
  shownAt: isoTime.nullable(),
  overDoNotDisturb: z.boolean(),
  heldAt: isoTime.nullable(),
  heldReason: holdReason.nullable(),
});
export type DeskStatus = z.infer<typeof deskStatus>;

export const recipientStatus = z.object({
  userId: alertIdNumber,
  displayName: z.string().max(200),
  /** The role this person was reached through as its on-duty member, if any. */
  viaRole: role.nullable(),
  deliveredAt: isoTime.nullable(),
  readAt: isoTime.nullable(),
  acknowledgedAt: isoTime.nullable(),
  desks: z.array(deskStatus).max(100),
});
export type RecipientStatus = z.infer<typeof recipientStatus>;

export const acknowledgement = z.object({
  at: isoTime,
  userId: alertIdNumber,
  displayName: z.string().max(200),
  deskName: z.string().max(100).nullable(),
});
export type Acknowledgement = z.infer<typeof acknowledgement>;

/** Recipients listed in a live status event at most; the counts always cover everyone. */
export const MAX_LISTED_RECIPIENTS = 50;

export const alertStatus = z.object({
  alertId: alertIdNumber,
  kind: z.enum(ALERT_KINDS),
  priority,
  conversationId: alertIdNumber.nullable(),
  messageId: alertIdNumber.nullable(),
  createdAt: isoTime,
  /** Grows with every fact recorded; of two statuses of one alert the higher is the newer. */
  version: z.number().int().nonnegative(),
  acknowledged: acknowledgement.nullable(),
  counts: z.object({
    recipients: z.number().int().nonnegative(),
    delivered: z.number().int().nonnegative(),
    shown: z.number().int().nonnegative(),
    held: z.number().int().nonnegative(),
    read: z.number().int().nonnegative(),
  }),
  /** Repeats of an unacknowledged urgent alert: how many went out, of how many planned. */
  repeats: z.object({ sent: z.number().int().nonnegative(), planned: z.number().int().nonnegative() }),
  /** When the next repeat or the escalation is due, while one is. */
  nextStepAt: isoTime.nullable(),
  escalation: z
    .object({
      at: isoTime,
      /** "on-duty nurses", "Nurse Kim Park". */
      target: z.string().max(200),
      /** Who it reached; empty when nobody could be reached (`failure` says why). */
      recipients: z.array(z.string().max(200)).max(200),
      failure: z.string().max(200).nullable(),
      /** The conversation the escalation was posted in, for those it reached. */
      conversationId: alertIdNumber.nullable(),
    })
    .nullable(),
  /** An escalation's original alert. */
  escalatedFrom: alertIdNumber.nullable(),
  /** Per recipient; empty for whoever may only see the counts and the acknowledgement. */
  recipients: z.array(recipientStatus).max(10_000),
});
export type AlertStatus = z.infer<typeof alertStatus>;

export const acknowledgeRequest = z.object({
  /** The desk it was acknowledged on, for the audit; optional (a REST client has none). */
  deskId: deskId.optional(),
});
export type AcknowledgeRequest = z.infer<typeof acknowledgeRequest>;

export interface AlertStatusResponse {
  alert: AlertStatus;
}

export interface AlertStatusesResponse {
  alerts: AlertStatus[];
}
