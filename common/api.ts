import { z } from 'zod';
import { desktopSettings, type DesktopSettings } from './desktop-bridge.js';
import { escalationTarget } from './alert-settings.js';
import { priority, type Priority } from './alerts.js';
import { role, type Role } from './roles.js';

/**
 * The REST API shared by the server (which validates requests with these schemas) and the
 * clients (which type responses with them). Ids in the REST API are numbers; ids inside event
 * payloads are strings, as the original system sent them.
 */

export { ROLES, role, type Role } from './roles.js';

/**
 * A database id: an integer, or its plain decimal digits (a path or query parameter). Nothing
 * else is coerced: `true`, `[3]`, `"0x3"`, `" 3"` or `"3.0"` are not ids.
 */
export const entityId = z
  .union([z.number(), z.string().regex(/^[1-9][0-9]{0,15}$/, 'must be a positive integer').transform(Number)])
  .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));

/** `?limit=` of a paged list: plain decimal digits, within 1..max. */
const pageLimit = (max: number, byDefault: number) =>
  z
    .union([z.number(), z.string().regex(/^[0-9]{1,6}$/, 'must be a whole number').transform(Number)])
    .pipe(z.number().int().min(1).max(max))
    .default(byDefault);

const username = z
  .string()
  .trim()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9._-]+$/i, 'username may hold letters, digits, dot, dash and underscore');
/**
 * Control characters (line breaks among them) and bidirectional overrides let a name rewrite the
 * text around it: a pop-up title that reads as another sender, or a fake second line. A name or
 * a title holds neither.
 */
const CONTROL_OR_BIDI = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const plainLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((text) => !CONTROL_OR_BIDI.test(text), 'must not contain control or text-direction characters');

const displayName = plainLine(100);
const password = z.string().min(8, 'password must be at least 8 characters').max(200);

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
}

export interface AdminUser extends User {
  disabled: boolean;
  createdAt: string;
  /** When they last signed in (on any desk), null when never. */
  lastSignInAt: string | null;
}

export const loginRequest = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(200),
});
export type LoginRequest = z.infer<typeof loginRequest>;

export interface LoginResponse {
  token: string;
  user: User;
  expiresAt: string;
}

export interface MeResponse {
  user: User;
}

export interface UsersResponse {
  users: User[];
}

export const createUserRequest = z.object({
  username,
  displayName,
  role,
  password,
});
export type CreateUserRequest = z.infer<typeof createUserRequest>;

export const updateUserRequest = z
  .object({
    displayName: displayName.optional(),
    role: role.optional(),
    password: password.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'nothing to change');
export type UpdateUserRequest = z.infer<typeof updateUserRequest>;

export interface AdminUsersResponse {
  users: AdminUser[];
}

export interface Message {
  id: number;
  conversationId: number;
  senderId: number;
  senderName: string;
  text: string;
  createdAt: string;
  /** Echoed back when the sender supplied one, so a retried send is recognised. */
  clientMessageId: string | null;
  priority: Priority;
  /** The alert that carries this message's receipts; null for messages older than alerting. */
  alertId: number | null;
  /** When its sender last edited it (absent when never). */
  editedAt?: string;
  /** Its sender deleted it: the text is gone, the message stays as a placeholder. */
  deleted?: true;
  /** Who acknowledged it with a 👍 (absent when nobody). */
  acknowledgedBy?: number[];
  /** The earlier message it answers, quoted as it is now (absent for a plain message). */
  replyTo?: MessageQuote;
}

/** An earlier message as a reply quotes it. */
export interface MessageQuote {
  id: number;
  senderName: string;
  /** Its text now ('' once deleted). */
  text: string;
}

export interface Conversation {
  id: number;
  title: string | null;
  participants: User[];
  lastMessage: Message | null;
  unreadCount: number;
  updatedAt: string;
  /** The viewer muted it: its messages count as unread but raise no pop-up. */
  muted?: boolean;
}

export const listConversationsQuery = z.object({
  /** The id of the last conversation of the previous page. */
  before: entityId.optional(),
  limit: pageLimit(200, 200),
});
export type ListConversationsQuery = z.infer<typeof listConversationsQuery>;

export interface ConversationsResponse {
  /** Newest activity first. */
  conversations: Conversation[];
  hasMore: boolean;
}

export interface ConversationResponse {
  conversation: Conversation;
}

export const createConversationRequest = z.object({
  participantIds: z.array(entityId).min(1).max(50),
  title: plainLine(200).optional(),
});
export type CreateConversationRequest = z.infer<typeof createConversationRequest>;

/** What any participant may change about a conversation (`muted` is for themselves only). */
export const updateConversationRequest = z
  .object({
    title: z.string().trim().min(1).max(200).nullable().optional(),
    muted: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'nothing to change');
export type UpdateConversationRequest = z.infer<typeof updateConversationRequest>;

export const addParticipantsRequest = z.object({
  userIds: z.array(entityId).min(1).max(50),
});
export type AddParticipantsRequest = z.infer<typeof addParticipantsRequest>;

export const listMessagesQuery = z.object({
  before: entityId.optional(),
  limit: pageLimit(200, 50),
});
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;

export interface MessagesResponse {
  /** Oldest first. */
  messages: Message[];
  hasMore: boolean;
}

export const sendMessageRequest = z.object({
  text: z
    .string()
    .max(4_000)
    .refine((text) => text.trim().length > 0, 'text must not be empty'),
  /** Client-chosen id that makes a retried send idempotent. */
  clientMessageId: z.string().min(8).max(64).optional(),
  /** The earlier message of the same conversation this one answers. */
  replyToId: entityId.optional(),
  priority: priority.default('routine'),
  /** Where an urgent message goes when nobody acknowledges it; the clinic's default when absent. */
  escalateTo: escalationTarget.optional(),
});
export type SendMessageRequest = z.infer<typeof sendMessageRequest>;
/** What a sender chooses about a message besides its words. */
export type MessageOptions = Omit<SendMessageRequest, 'text' | 'clientMessageId'>;

export interface MessageResponse {
  message: Message;
}

/** How long after sending a message its sender may still edit or delete it. */
export const MESSAGE_EDIT_WINDOW_MINUTES = 15;

export const editMessageRequest = z.object({
  text: z
    .string()
    .max(4_000)
    .refine((text) => text.trim().length > 0, 'text must not be empty'),
});

export const acknowledgeMessageRequest = z.object({ acknowledged: z.boolean() });
/**
 * A message to whoever is on duty in a role when it is sent ("the on-duty nurse"): they are
 * made the participants of a new conversation with the sender, and recorded as reached through
 * that role.
 */
export const roleMessageRequest = sendMessageRequest.extend({ role });
export type RoleMessageRequest = z.infer<typeof roleMessageRequest>;

export interface RoleMessageResponse {
  conversation: Conversation;
  message: Message;
}

export const markConversationReadRequest = z.object({
  lastMessageId: entityId,
});
export type MarkConversationReadRequest = z.infer<typeof markConversationReadRequest>;

export interface Appointment {
  id: number;
  time: string;
  content: string;
  remindUserIds: number[];
  reminderLeadMinutes: number;
  remindAt: string;
  createdBy: number;
  reminderSent: boolean;
  /** When its creator cancelled it (absent otherwise); a cancelled appointment sends no reminder. */
  cancelledAt?: string;
}

export interface AppointmentsResponse {
  appointments: Appointment[];
}

export interface AppointmentResponse {
  appointment: Appointment;
}

/** The people an appointment involves: its clinician, nurse, front desk; not the whole clinic. */
export const MAX_REMINDED_PER_APPOINTMENT = 20;
/** How far ahead an appointment may be booked. */
export const MAX_APPOINTMENT_DAYS_AHEAD = 366;

export const createAppointmentRequest = z.object({
  time: z.iso.datetime({ offset: true }),
  content: z.string().trim().min(1).max(2_000),
  remindUserIds: z.array(entityId).min(1).max(MAX_REMINDED_PER_APPOINTMENT),
  reminderLeadMinutes: z.number().int().min(0).max(7 * 24 * 60).default(15),
});
export type CreateAppointmentRequest = z.infer<typeof createAppointmentRequest>;

/** What the creator of an appointment may change; a new time must be in the future. */
export const updateAppointmentRequest = z
  .object({
    time: z.iso.datetime({ offset: true }).optional(),
    content: z.string().trim().min(1).max(2_000).optional(),
    remindUserIds: z.array(entityId).min(1).max(200).optional(),
    reminderLeadMinutes: z.number().int().min(0).max(7 * 24 * 60).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'nothing to change');
export type UpdateAppointmentRequest = z.infer<typeof updateAppointmentRequest>;

export const systemNotificationRequest = z
  .object({
    content: z.string().trim().min(1).max(2_000),
    role: role.optional(),
    userIds: z.array(entityId).min(1).max(10_000).optional(),
  })
  .refine((body) => !(body.role && body.userIds), 'give role or userIds, not both');
export type SystemNotificationRequest = z.infer<typeof systemNotificationRequest>;

export interface SystemNotificationResponse {
  recipients: number;
  /**
   * 202: the publish failed part-way or timed out; the notice is kept and the server finishes it
   * (each recipient gets it once) as soon as Redis takes it.
   */
  queued?: true;
}

/** One notice an admin sent, as the history lists it. */
export interface SystemNotice {
  id: number;
  content: string;
  audience: 'everyone' | 'role' | 'people';
  /** The role it went to, when `audience` is `role`. */
  role: Role | null;
  /** The people it was addressed to, when `audience` is `people`. */
  userIds: number[] | null;
  /** How many enabled accounts it reached when it was sent. */
  recipients: number;
  sentBy: { id: number; displayName: string };
  sentAt: string;
}

export interface SystemNoticesResponse {
  /** Newest first. */
  notices: SystemNotice[];
}

/** `GET /api/admin/health`: the readiness checks and this server process's key figures. */
export interface ServerHealthResponse {
  ready: boolean;
  /** `ok`, or what went wrong, per dependency (the same as `/readyz`). */
  checks: { redis: string; database: string; events: string };
  figures: {
    openStreams: number;
    eventsPublished: number;
    eventsDelivered: number;
    eventsReplayed: number;
    resyncs: number;
    slowClientsClosed: number;
    streamsRejected: number;
    outboxPending: number;
    uptimeSeconds: number;
    residentMemoryBytes: number;
  };
  /** Whether the original system's test endpoints (and so the Test panel) are on. */
  testEndpoints: boolean;
  checkedAt: string;
}

/** Bodies of the original system's test endpoints; every field has a sensible default. */
export const testAppointmentReminderRequest = z.object({
  appointmentId: z.string().min(1).max(64).optional(),
  time: z.string().min(1).max(64).optional(),
  content: z.string().max(2_000).optional(),
});
export const testSystemNotificationRequest = z.object({
  content: z.string().max(2_000).optional(),
});
export const testNewMessageRequest = z.object({
  conversation_id: z.string().min(1).max(64).optional(),
  sender: plainLine(200).optional(),
  text: z.string().max(4_000).optional(),
});

export interface PublishedResponse {
  id: number;
}

export const ackRequest = z.object({
  lastEventId: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});
export type AckRequest = z.infer<typeof ackRequest>;

export interface EventsStateResponse {
  /** Newest event id handed out for this user, null when none. */
  lastEventId: number | null;
  /** How far the user has marked notifications read. */
  lastReadEventId: number;
}

export const markNotificationsRequest = z.object({
  eventIds: z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).min(1).max(200),
  read: z.boolean(),
});
export type MarkNotificationsRequest = z.infer<typeof markNotificationsRequest>;

export interface NotificationMarksResponse {
  /** Notifications marked one by one, overriding the read marker for their ids. */
  marks: { eventId: number; read: boolean }[];
}

/**
 * The settings that follow a person from desk to desk (kept on the server); the rest of the
 * desktop settings (start at login, keep running in the tray) belong to the computer.
 */
export const PERSONAL_SETTING_KEYS = [
  'previewLevel',
  'doNotDisturb',
  'doNotDisturbUntil',
  'quietHours',
  'sound',
] as const satisfies readonly (keyof DesktopSettings)[];
export const personalSettings = desktopSettings.pick({
  previewLevel: true,
  doNotDisturb: true,
  doNotDisturbUntil: true,
  quietHours: true,
  sound: true,
});
export type PersonalSettings = z.infer<typeof personalSettings>;
export const personalSettingsPatch = personalSettings.partial().strict();
export type PersonalSettingsPatch = z.infer<typeof personalSettingsPatch>;

export interface PersonalSettingsResponse {
  /** Null until the person saved settings from some desk. */
  settings: PersonalSettings | null;
}

export const searchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1, 'q: type something to search for')
    .max(200)
    .refine((text) => /[\p{L}\p{N}]/u.test(text), 'q: search for at least one letter or digit'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type SearchQuery = z.infer<typeof searchQuery>;

/**
 * Where a search term was found: the message text split into plain and matching parts, so a
 * client shows the matches without ever treating message text as markup.
 */
export interface SearchSnippetPart {
  text: string;
  match: boolean;
}

export interface SearchResult {
  message: Message;
  conversationId: number;
  /** The conversation's name as the searcher sees it (its title, or the colleagues in it). */
  conversationName: string;
  snippet: SearchSnippetPart[];
}

export interface SearchResponse {
  /** Newest first. */
  results: SearchResult[];
}

export const API_ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'invalid_json',
  'payload_too_large',
  'unauthorized',
  'invalid_credentials',
  'forbidden',
  'not_found',
  'conflict',
  'too_many_requests',
  'too_many_streams',
  'unavailable',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}
