import { z } from 'zod';
import { desktopSettings } from './desktop-bridge.js';
import { alertStatus, priority } from './alerts.js';
import { presenceStatus } from './presence.js';

/**
 * The events a user's stream carries. Payload field names are those of the original system
 * (see shared/seed) so that existing tooling and habits keep working; `id` is the per-user,
 * strictly increasing sequence number that makes delivery exact.
 */

export const eventId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const isoTimestamp = z.string().min(1).max(64);

/**
 * Added by ClinicPulse to each notifying event that asks for receipts: the server's alert it
 * belongs to, which a desk reports delivered / shown / held / read and which is acknowledged.
 */
const alertId = z.string().regex(/^[1-9]\d{0,15}$/).optional();

export const newMessagePayload = z.object({
  type: z.literal('new_message'),
  conversation_id: z.string().min(1).max(64),
  sender: z.string().max(200),
  text: z.string().max(10_000),
  timestamp: isoTimestamp,
  /** Added by ClinicPulse: lets a client merge the message without a refetch. */
  message_id: z.string().max(64).optional(),
  sender_id: z.string().max(64).optional(),
  /** Added by ClinicPulse: `routine` when absent, as every message of the original system was. */
  priority: priority.optional(),
  /** Added by ClinicPulse for a conversation with a title, so a pop-up can name it. */
  conversation_title: z.string().max(200).optional(),
  /** Added by ClinicPulse when the recipient muted the conversation: counted, but no pop-up. */
  muted: z.boolean().optional(),
  /** Added by ClinicPulse for a reply: the message it answers, quoted. */
  reply_to: z
    .object({
      message_id: z.string().max(64),
      sender: z.string().max(200),
      text: z.string().max(10_000),
    })
    .optional(),
  alert_id: alertId,
  /** Added by ClinicPulse: the clinic lets this urgent alert through do-not-disturb and quiet hours. */
  passes_do_not_disturb: z.boolean().optional(),
});

export const appointmentReminderPayload = z.object({
  type: z.literal('appointment_reminder'),
  appointmentId: z.string().min(1).max(64),
  time: isoTimestamp,
  content: z.string().max(2_000),
  timestamp: isoTimestamp,
  alert_id: alertId,
  passes_do_not_disturb: z.boolean().optional(),
});

export const systemNotificationPayload = z.object({
  type: z.literal('system_notification'),
  content: z.string().max(2_000),
  timestamp: isoTimestamp,
  alert_id: alertId,
});

/** Published when the user marks notifications read on one desk, so every desk's badge agrees. */
export const notificationsReadPayload = z.object({
  type: z.literal('notifications_read'),
  lastEventId: z.number().int().nonnegative(),
  timestamp: isoTimestamp,
});

/**
 * Published to the reader's own desks when they read a conversation up to `message_id`, so an
 * unread count shown on another desk clears too. Not a notification.
 */
export const conversationReadPayload = z.object({
  type: z.literal('conversation_read'),
  conversation_id: z.string().min(1).max(64),
  message_id: z.string().min(1).max(64),
  timestamp: isoTimestamp,
});

/**
 * Published to the sender's own desks when they send a message (its recipients get
 * `new_message`), so a thread open on another desk shows it at once; `client_message_id` lets the
 * sending desk match it to the message it is still sending. Not a notification.
 */
export const messageSentPayload = z.object({
  type: z.literal('message_sent'),
  conversation_id: z.string().min(1).max(64),
  message_id: z.string().min(1).max(64),
  sender: z.string().max(200),
  sender_id: z.string().min(1).max(64),
  text: z.string().max(10_000),
  timestamp: isoTimestamp,
  client_message_id: z.string().max(64).optional(),
  /** A reply: the message it answers, quoted (as in `new_message`). */
  reply_to: z
    .object({
      message_id: z.string().max(64),
      sender: z.string().max(200),
      text: z.string().max(10_000),
    })
    .optional(),
  priority: priority.optional(),
  alert_id: alertId,
});

/**
 * Published to the sender's own desks when what is known about one of their alerts changed
 * (delivered, shown or held on a desk, read, acknowledged…). Coalesced: one per alert per short
 * window, carrying the whole status; of two, the higher `status.version` is the newer. Not a
 * notification.
 */
export const alertStatusPayload = z.object({
  type: z.literal('alert_status'),
  alert_id: z.string().min(1).max(20),
  status: alertStatus,
  timestamp: isoTimestamp,
});

/**
 * Published to every recipient of an alert and to its sender when it is first acknowledged, on
 * any desk: the alert stops everywhere (banners and pop-ups close, repeats and escalation stop).
 * Not a notification.
 */
export const alertAcknowledgedPayload = z.object({
  type: z.literal('alert_acknowledged'),
  alert_id: z.string().min(1).max(20),
  conversation_id: z.string().max(64).optional(),
  message_id: z.string().max(64).optional(),
  appointmentId: z.string().max(64).optional(),
  by: z.string().max(200),
  by_id: z.string().min(1).max(64),
  timestamp: isoTimestamp,
});

/**
 * Published to every recipient of an urgent alert nobody has acknowledged yet, each time it is
 * alerted again ("Repeat 2 of 3"): desks raise it again, with sound. Not a notification of its
 * own (the message already is one); `sender` and `text` let a desk word it without a lookup.
 */
export const alertRepeatPayload = z.object({
  type: z.literal('alert_repeat'),
  alert_id: z.string().min(1).max(20),
  repeat: z.number().int().positive(),
  of: z.number().int().positive(),
  conversation_id: z.string().max(64).optional(),
  message_id: z.string().max(64).optional(),
  sender: z.string().max(200),
  text: z.string().max(10_000),
  passes_do_not_disturb: z.boolean().optional(),
  timestamp: isoTimestamp,
});

/**
 * Published to the sender and the recipients of an urgent alert when, after its last repeat,
 * it went to the escalation target: `to` names the target ("on-duty nurses"), `reached` whom
 * it reached (empty with a `failure` when nobody could be). Not a notification: the people it
 * reached get the escalation as an urgent `new_message`.
 */
export const alertEscalatedPayload = z.object({
  type: z.literal('alert_escalated'),
  alert_id: z.string().min(1).max(20),
  conversation_id: z.string().max(64).optional(),
  message_id: z.string().max(64).optional(),
  to: z.string().max(200),
  reached: z.array(z.string().max(200)).max(200),
  failure: z.string().max(200).optional(),
  timestamp: isoTimestamp,
});

/**
 * Published to every enabled account when the staff directory changed (an account added,
 * renamed, given another role, disabled or enabled), so pickers and names follow without a
 * reload. Not a notification.
 */
export const directoryChangedPayload = z.object({
  type: z.literal('directory_changed'),
  timestamp: isoTimestamp,
});

/**
 * Published to the user's own desks when they mark single notifications read or unread (by
 * opening one, or with "Mark unread"), so every desk's inbox and badge agree. It overrides the
 * `notifications_read` marker for exactly these event ids. Not a notification.
 */
export const notificationsMarkedPayload = z.object({
  type: z.literal('notifications_marked'),
  event_ids: z.array(eventId).min(1).max(200),
  read: z.boolean(),
  timestamp: isoTimestamp,
});

/**
 * Published to the people of a conversation when it is created or changed (renamed, people
 * added or removed), so it shows in their lists before any message is sent in it. Someone
 * removed gets it too, and then no longer sees the conversation. Not a notification.
 */
export const conversationChangedPayload = z.object({
  type: z.literal('conversation_changed'),
  conversation_id: z.string().min(1).max(64),
  change: z.enum(['created', 'renamed', 'participants_changed']),
  timestamp: isoTimestamp,
});

/**
 * Published to the user's own desks when their settings that follow them (privacy of pop-ups,
 * do-not-disturb, quiet hours, sound) changed on one desk. Not a notification.
 */
export const settingsChangedPayload = z.object({
  type: z.literal('settings_changed'),
  settings: desktopSettings.pick({
    previewLevel: true,
    doNotDisturb: true,
    doNotDisturbUntil: true,
    quietHours: true,
    sound: true,
  }),
  timestamp: isoTimestamp,
});

/**
 * Published to everyone in a conversation when a message in it was edited, deleted or
 * acknowledged (👍), so every desk shows it as it is now. Not a notification.
 */
export const messageChangedPayload = z.object({
  type: z.literal('message_changed'),
  conversation_id: z.string().min(1).max(64),
  message_id: z.string().min(1).max(64),
  change: z.enum(['edited', 'deleted', 'acknowledged']),
  /** The text now ('' once deleted). */
  text: z.string().max(10_000),
  edited_at: isoTimestamp.optional(),
  deleted: z.boolean().optional(),
  /** Ids of who acknowledged it, as strings like every id in a payload. */
  acknowledged_by: z.array(z.string().max(64)).max(1_000),
  timestamp: isoTimestamp,
});

/**
 * Sent to every open stream when a colleague's presence changed (available, busy, away), so
 * pickers and conversation headers follow: a control frame (below), not a numbered event. A
 * desk that was away misses the changes meanwhile and loads the list again on `ready`, so none
 * of them fills the event history that exact replay depends on.
 */
export const presenceChangedPayload = z.object({
  type: z.literal('presence_changed'),
  user_id: z.string().regex(/^[1-9]\d{0,15}$/),
  status: presenceStatus,
  timestamp: isoTimestamp,
});

export const eventPayload = z.discriminatedUnion('type', [
  newMessagePayload,
  appointmentReminderPayload,
  systemNotificationPayload,
  notificationsReadPayload,
  conversationReadPayload,
  messageSentPayload,
  directoryChangedPayload,
  notificationsMarkedPayload,
  conversationChangedPayload,
  settingsChangedPayload,
  messageChangedPayload,
  alertStatusPayload,
  alertAcknowledgedPayload,
  alertRepeatPayload,
  alertEscalatedPayload,
]);

export const streamEvent = z.discriminatedUnion('type', [
  newMessagePayload.extend({ id: eventId }),
  appointmentReminderPayload.extend({ id: eventId }),
  systemNotificationPayload.extend({ id: eventId }),
  notificationsReadPayload.extend({ id: eventId }),
  conversationReadPayload.extend({ id: eventId }),
  messageSentPayload.extend({ id: eventId }),
  directoryChangedPayload.extend({ id: eventId }),
  notificationsMarkedPayload.extend({ id: eventId }),
  conversationChangedPayload.extend({ id: eventId }),
  settingsChangedPayload.extend({ id: eventId }),
  messageChangedPayload.extend({ id: eventId }),
  alertStatusPayload.extend({ id: eventId }),
  alertAcknowledgedPayload.extend({ id: eventId }),
  alertRepeatPayload.extend({ id: eventId }),
  alertEscalatedPayload.extend({ id: eventId }),
]);

export type NewMessagePayload = z.infer<typeof newMessagePayload>;
export type AppointmentReminderPayload = z.infer<typeof appointmentReminderPayload>;
export type SystemNotificationPayload = z.infer<typeof systemNotificationPayload>;
export type NotificationsReadPayload = z.infer<typeof notificationsReadPayload>;
export type ConversationReadPayload = z.infer<typeof conversationReadPayload>;
export type MessageSentPayload = z.infer<typeof messageSentPayload>;
export type DirectoryChangedPayload = z.infer<typeof directoryChangedPayload>;
export type NotificationsMarkedPayload = z.infer<typeof notificationsMarkedPayload>;
export type ConversationChangedPayload = z.infer<typeof conversationChangedPayload>;
export type SettingsChangedPayload = z.infer<typeof settingsChangedPayload>;
export type MessageChangedPayload = z.infer<typeof messageChangedPayload>;
export type PresenceChangedPayload = z.infer<typeof presenceChangedPayload>;
export type AlertStatusPayload = z.infer<typeof alertStatusPayload>;
export type AlertAcknowledgedPayload = z.infer<typeof alertAcknowledgedPayload>;
export type AlertRepeatPayload = z.infer<typeof alertRepeatPayload>;
export type AlertEscalatedPayload = z.infer<typeof alertEscalatedPayload>;
export type EventPayload = z.infer<typeof eventPayload>;
export type EventType = EventPayload['type'];
export type StreamEvent = z.infer<typeof streamEvent>;
export type StreamEventOf<T extends EventType> = Extract<StreamEvent, { type: T }>;

/** Event types that a person is notified of (pop-up, inbox, unread badge). */
export const NOTIFYING_EVENT_TYPES = [
  'new_message',
  'appointment_reminder',
  'system_notification',
] as const satisfies readonly EventType[];
export type NotifyingEventType = (typeof NOTIFYING_EVENT_TYPES)[number];
export type NotifyingEvent = StreamEventOf<NotifyingEventType>;

export function isNotifyingEvent(event: StreamEvent): event is NotifyingEvent {
  return (NOTIFYING_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * Control frames, not events: a client never notifies for them.
 * - `resync`: events after the client's Last-Event-ID are no longer all held (expired, trimmed,
 *   or lost with Redis's data), or the id was never handed out. The client must reload its state
 *   over REST and set its position to `lastEventId` (the frame's `id:` line carries the same
 *   value, so a browser EventSource follows); what is still held after it is replayed next.
 * - `ready`: the replay is over; everything after this frame is live. `lastEventId` is the
 *   newest id the server knows for this user. It has no `id:` line.
 * - `presence_changed`: a colleague's presence (presenceChangedPayload), live only, no `id:` line.
 */
export const resyncControl = z.object({
  type: z.literal('resync'),
  reason: z.enum(['history_expired', 'unknown_id']),
  lastEventId: z.number().int().nonnegative(),
});
export const readyControl = z.object({
  type: z.literal('ready'),
  lastEventId: z.number().int().nonnegative(),
});
export const controlEvent = z.discriminatedUnion('type', [resyncControl, readyControl, presenceChangedPayload]);
export type ResyncControl = z.infer<typeof resyncControl>;
export type ReadyControl = z.infer<typeof readyControl>;
export type PresenceChangedControl = PresenceChangedPayload;
export type ControlEvent = z.infer<typeof controlEvent>;
export type ControlEventType = ControlEvent['type'];

export const CONTROL_EVENT_TYPES = ['resync', 'ready', 'presence_changed'] as const satisfies readonly ControlEventType[];
/**
 * The SSE event name of every numbered event: its frame has no `event:` line (the SSE default,
 * `message`) and its type is in its data, as the original system sent it, so a browser's
 * `onmessage` receives it. Control frames are named after their type.
 */
export const STREAM_EVENT_FRAME = 'message';
export const STREAM_EVENT_TYPES = [
  ...NOTIFYING_EVENT_TYPES,
  'notifications_read',
  'conversation_read',
  'message_sent',
  'directory_changed',
  'notifications_marked',
  'conversation_changed',
  'settings_changed',
  'message_changed',
  'alert_status',
  'alert_acknowledged',
  'alert_repeat',
  'alert_escalated',
] as const satisfies readonly EventType[];

/** `Last-Event-ID` as sent by a client: a decimal integer, nothing else. */
export const lastEventIdHeader = z
  .string()
  .regex(/^\d{1,16}$/, 'Last-Event-ID must be a non-negative integer')
  .transform(Number)
  .pipe(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER));

/**
 * `?since=`: the `timestamp` of the last event a client of the original system received, which
 * is how that client resumes (it keeps no id).
 */
export const sinceTimestampParam = z
  .string()
  .min(1)
  .max(128)
  .refine((text) => !/\p{Cc}/u.test(text), 'since must hold no control characters');

/**
 * `POST /api/internal/events`, for another backend (the original system's, during a migration)
 * that publishes through ClinicPulse instead of into Redis: one of the three notifications to
 * each of `userIds`, each user getting their own id. With `dedupeKey`, sending the same request
 * again (a retry after a timeout) publishes nothing twice and answers the first ids.
 */
export const publishEventsRequest = z.object({
  userIds: z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).min(1).max(10_000),
  event: z.discriminatedUnion('type', [newMessagePayload, appointmentReminderPayload, systemNotificationPayload]),
  dedupeKey: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'dedupeKey: 1 to 128 letters, digits, dot, dash, underscore or colon')
    .optional(),
});
export type PublishEventsRequest = z.infer<typeof publishEventsRequest>;
export interface PublishEventsResponse {
  /** The event's id for each user, in the order of `userIds`. */
  ids: number[];
}
