import { z } from 'zod';

/**
 * Whether a colleague is at their desk: *available*, *busy* (at the desk, chose to be left
 * alone) or *away* (no desk of theirs in use: idle for a while, asleep, closed, signed out).
 * A person chooses available or busy; away follows from their desks.
 */
export const PRESENCE_STATUSES = ['available', 'busy', 'away'] as const;
export const presenceStatus = z.enum(PRESENCE_STATUSES);
export type PresenceStatus = z.infer<typeof presenceStatus>;

export const presenceChoice = z.enum(['available', 'busy']);
export type PresenceChoice = z.infer<typeof presenceChoice>;

/** One browser tab or desktop app, as it names itself: a random id, kept while it runs. */
export const presenceDeskId = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

/** `POST /api/presence/report`: this desk is in use (`active`) or has been idle. */
export const presenceReport = z.object({ deskId: presenceDeskId, active: z.boolean() });
export type PresenceReport = z.infer<typeof presenceReport>;

/** `POST /api/me/presence`: the person's choice, from the desk they chose it on (in use). */
export const presenceChoiceRequest = z.object({ status: presenceChoice, deskId: presenceDeskId });
export type PresenceChoiceRequest = z.infer<typeof presenceChoiceRequest>;

export interface PresenceEntry {
  userId: number;
  status: PresenceStatus;
}

/** `GET /api/presence`: everyone who is not away (anyone missing is away), and one's own choice. */
export interface PresenceResponse {
  presence: PresenceEntry[];
  choice: PresenceChoice;
}

/** The answer to a report or a choice: the person's status now. */
export interface OwnPresenceResponse {
  status: PresenceStatus;
  choice: PresenceChoice;
}

/** A desk in use says so this often; the server counts it as in use for a little over two. */
export const PRESENCE_REPORT_EVERY_MS = 30_000;
/** No use of the desk for this long and its person shows as away. */
export const PRESENCE_IDLE_AFTER_MS = 5 * 60_000;

export const PRESENCE_LABELS: Record<PresenceStatus, string> = {
  available: 'Available',
  busy: 'Busy',
  away: 'Away',
};
