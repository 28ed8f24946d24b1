import { z } from 'zod';
import { ALERT_KINDS, priority, type AlertKind, type AlertStatus, type Priority, type ReceiptState } from './alerts.js';
import { entityId } from './api.js';

const day = z.iso.date();
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

/** The delivery audit's filter (query string): all optional, newest first, paged by alert id. */
export const auditQuery = z.object({
  kind: z.enum(ALERT_KINDS).optional(),
  priority: priority.optional(),
  /** Sent on or after this day (UTC, YYYY-MM-DD). */
  from: day.optional(),
  /** Sent on or before this day (UTC). */
  to: day.optional(),
  /** Sent by or to this person. */
  userId: entityId.optional(),
  /** Words in the message, reminder or notice. */
  q: z.string().trim().min(1).max(100).optional(),
  /** Only alerts nobody acknowledged. */
  unacknowledged: flag.optional(),
  before: entityId.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof auditQuery>;

export interface AuditAlert {
  alertId: number;
  kind: AlertKind;
  priority: Priority;
  createdAt: string;
  sender: string | null;
  /** The text, cut to a line. */
  summary: string;
  counts: AlertStatus['counts'];
  acknowledged: { at: string; by: string } | null;
  escalated: { at: string; target: string } | null;
}

export interface AuditAlertsResponse {
  alerts: AuditAlert[];
  hasMore: boolean;
}

/** One recorded fact, in the order it was recorded. */
export interface AuditEntry {
  at: string;
  userId: number;
  displayName: string;
  deskName: string | null;
  state: ReceiptState;
  reason: string | null;
}

export interface AuditAlertResponse {
  alert: AlertStatus;
  sender: string | null;
  summary: string;
  log: AuditEntry[];
}

export interface AuditExportResponse {
  filename: string;
  csv: string;
}
