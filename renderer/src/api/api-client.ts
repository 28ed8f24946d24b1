import type { z } from 'zod';
import { alertSettingsPatch, type AlertSettingsResponse } from '../../../common/alert-settings.js';
import type {
  AuditAlertResponse,
  AuditAlertsResponse,
  AuditExportResponse,
  AuditQuery,
} from '../../../common/audit.js';
import { setDutyRequest, type OnDutyResponse } from '../../../common/duty.js';
import {
  presenceChoiceRequest,
  presenceReport,
  type OwnPresenceResponse,
  type PresenceResponse,
} from '../../../common/presence.js';
import {
  acknowledgeRequest,
  receiptReport,
  type AlertStatusesResponse,
  type AlertStatusResponse,
  type ReceiptReportResponse,
} from '../../../common/alerts.js';
import {
  ackRequest,
  createAppointmentRequest,
  createUserRequest,
  acknowledgeMessageRequest,
  addParticipantsRequest,
  editMessageRequest,
  markNotificationsRequest,
  personalSettingsPatch,
  updateConversationRequest,
  updateAppointmentRequest,
  type PersonalSettingsResponse,
  type SearchResponse,
  updateUserRequest,
  type NotificationMarksResponse,
  type AdminUser,
  type AdminUsersResponse,
  type ServerHealthResponse,
  type SystemNoticesResponse,
  createConversationRequest,
  loginRequest,
  markConversationReadRequest,
  roleMessageRequest,
  sendMessageRequest,
  systemNotificationRequest,
  testAppointmentReminderRequest,
  testNewMessageRequest,
  testSystemNotificationRequest,
  type AppointmentResponse,
  type AppointmentsResponse,
  type ConversationResponse,
  type ConversationsResponse,
  type EventsStateResponse,
  type LoginResponse,
  type MeResponse,
  type MessageResponse,
  type MessagesResponse,
  type PublishedResponse,
  type RoleMessageResponse,
  type SystemNotificationResponse,
  type UsersResponse,
} from '../../../common/api.js';
import type { HTTP_METHODS } from '../../../common/desktop-bridge.js';
import { ApiError } from './api-error.js';
import { NetworkError, type ApiTransport } from './api-transport.js';

type HttpMethod = (typeof HTTP_METHODS)[number];

/** The REST API of common/api.ts, one method per endpoint, over either transport. */
export interface ApiClient {
  login(body: z.input<typeof loginRequest>): Promise<LoginResponse>;
  logout(): Promise<void>;
  me(): Promise<MeResponse>;
  users(): Promise<UsersResponse>;
  conversations(): Promise<ConversationsResponse>;
  conversation(id: number): Promise<ConversationResponse>;
  createConversation(
    body: z.input<typeof createConversationRequest>,
  ): Promise<ConversationResponse>;
  messages(
    conversationId: number,
    query?: { before?: number; limit?: number },
  ): Promise<MessagesResponse>;
  sendMessage(
    conversationId: number,
    body: z.input<typeof sendMessageRequest>,
  ): Promise<MessageResponse>;
  markConversationRead(
    conversationId: number,
    body: z.input<typeof markConversationReadRequest>,
  ): Promise<void>;
  appointments(): Promise<AppointmentsResponse>;
  appointment(id: number): Promise<AppointmentResponse>;
  updateAppointment(
    id: number,
    body: z.input<typeof updateAppointmentRequest>,
  ): Promise<AppointmentResponse>;
  cancelAppointment(id: number): Promise<AppointmentResponse>;
  createAppointment(body: z.input<typeof createAppointmentRequest>): Promise<AppointmentResponse>;
  sendSystemNotification(
    body: z.input<typeof systemNotificationRequest>,
  ): Promise<SystemNotificationResponse>;
  testAppointmentReminder(
    body: z.input<typeof testAppointmentReminderRequest>,
  ): Promise<PublishedResponse>;
  testSystemNotification(
    body: z.input<typeof testSystemNotificationRequest>,
  ): Promise<PublishedResponse>;
  testNewMessage(body: z.input<typeof testNewMessageRequest>): Promise<PublishedResponse>;
  ack(body: z.input<typeof ackRequest>): Promise<void>;
  search(query: string): Promise<SearchResponse>;
  editMessage(conversationId: number, messageId: number, text: string): Promise<MessageResponse>;
  deleteMessage(conversationId: number, messageId: number): Promise<MessageResponse>;
  acknowledgeMessage(
    conversationId: number,
    messageId: number,
    acknowledged: boolean,
  ): Promise<MessageResponse>;
  updateConversation(
    id: number,
    body: z.input<typeof updateConversationRequest>,
  ): Promise<ConversationResponse>;
  addParticipants(
    id: number,
    body: z.input<typeof addParticipantsRequest>,
  ): Promise<ConversationResponse>;
  /** Leaving (one's own id) answers nothing; removing someone else answers the conversation. */
  removeParticipant(id: number, userId: number): Promise<ConversationResponse | null>;
  mySettings(): Promise<PersonalSettingsResponse>;
  updateMySettings(body: z.input<typeof personalSettingsPatch>): Promise<PersonalSettingsResponse>;
  /** Ends every session and stream of the signed-in person, this one included. */
  signOutEverywhere(): Promise<void>;
  notificationMarks(): Promise<NotificationMarksResponse>;
  markNotifications(body: z.input<typeof markNotificationsRequest>): Promise<void>;
  adminUsers(): Promise<AdminUsersResponse>;
  createUser(body: z.input<typeof createUserRequest>): Promise<{ user: AdminUser }>;
  updateUser(id: number, body: z.input<typeof updateUserRequest>): Promise<{ user: AdminUser }>;
  systemNotices(): Promise<SystemNoticesResponse>;
  serverHealth(): Promise<ServerHealthResponse>;
  eventsState(): Promise<EventsStateResponse>;
  reportReceipts(body: z.input<typeof receiptReport>): Promise<ReceiptReportResponse>;
  alertStatus(alertId: number): Promise<AlertStatusResponse>;
  conversationAlerts(conversationId: number): Promise<AlertStatusesResponse>;
  acknowledgeAlert(
    alertId: number,
    body: z.input<typeof acknowledgeRequest>,
  ): Promise<AlertStatusResponse>;
  alertSettings(): Promise<AlertSettingsResponse>;
  updateAlertSettings(body: z.input<typeof alertSettingsPatch>): Promise<AlertSettingsResponse>;
  presence(): Promise<PresenceResponse>;
  reportPresence(body: z.input<typeof presenceReport>): Promise<OwnPresenceResponse>;
  choosePresence(body: z.input<typeof presenceChoiceRequest>): Promise<OwnPresenceResponse>;
  onDuty(): Promise<OnDutyResponse>;
  setOwnDuty(body: z.input<typeof setDutyRequest>): Promise<OnDutyResponse>;
  setDutyOf(userId: number, body: z.input<typeof setDutyRequest>): Promise<OnDutyResponse>;
  sendRoleMessage(body: z.input<typeof roleMessageRequest>): Promise<RoleMessageResponse>;
  auditAlerts(query: Partial<AuditQuery>): Promise<AuditAlertsResponse>;
  auditAlert(alertId: number): Promise<AuditAlertResponse>;
  auditExport(query: Partial<AuditQuery>): Promise<AuditExportResponse>;
  /** Called whenever the server answers that the session is gone (expired, revoked, signed out elsewhere). */
  onUnauthorized(listener: () => void): () => void;
}

export function createApiClient(transport: ApiTransport): ApiClient {
  const unauthorizedListeners = new Set<() => void>();

  async function call<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    let response;
    try {
      response = await transport.request(
        body === undefined ? { method, path } : { method, path, body },
      );
    } catch (error) {
      if (error instanceof NetworkError)
        throw new ApiError(0, 'network_error', 'The clinic server cannot be reached.');
      throw error;
    }
    if (response.status >= 400) {
      const error = ApiError.fromResponse(response.status, response.body);
      if (error.code === 'unauthorized')
        for (const listener of [...unauthorizedListeners]) listener();
      throw error;
    }
    // Responses are typed by common/api.ts; the server that sends them is typed by the same file.
    return response.body as T;
  }

  /** Checks a request body against the server's own schema before it leaves the page. */
  function valid<S extends z.ZodType>(schema: S, body: z.input<S>): z.output<S> {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const message = parsed.error.issues.map((issue) => issue.message).join('; ');
      throw new ApiError(0, 'validation_failed', message);
    }
    return parsed.data;
  }

  const id = (value: number) => encodeURIComponent(String(value));

  return {
    login: (body) => call('POST', '/api/auth/login', valid(loginRequest, body)),
    logout: () => call('POST', '/api/auth/logout', {}),
    me: () => call('GET', '/api/me'),
    users: () => call('GET', '/api/users'),
    conversations: () => call('GET', '/api/conversations'),
    conversation: (conversationId) => call('GET', `/api/conversations/${id(conversationId)}`),
    createConversation: (body) =>
      call('POST', '/api/conversations', valid(createConversationRequest, body)),
    messages: (conversationId, query = {}) => {
      const search = new URLSearchParams();
      if (query.before !== undefined) search.set('before', String(query.before));
      if (query.limit !== undefined) search.set('limit', String(query.limit));
      const suffix = search.size > 0 ? `?${search.toString()}` : '';
      return call('GET', `/api/conversations/${id(conversationId)}/messages${suffix}`);
    },
    sendMessage: (conversationId, body) =>
      call(
        'POST',
        `/api/conversations/${id(conversationId)}/messages`,
        valid(sendMessageRequest, body),
      ),
    markConversationRead: (conversationId, body) =>
      call(
        'POST',
        `/api/conversations/${id(conversationId)}/read`,
        valid(markConversationReadRequest, body),
      ),
    appointments: () => call('GET', '/api/appointments'),
    appointment: (appointmentId) => call('GET', `/api/appointments/${id(appointmentId)}`),
    updateAppointment: (appointmentId, body) =>
      call(
        'PATCH',
        `/api/appointments/${id(appointmentId)}`,
        valid(updateAppointmentRequest, body),
      ),
    cancelAppointment: (appointmentId) => call('DELETE', `/api/appointments/${id(appointmentId)}`),
    createAppointment: (body) =>
      call('POST', '/api/appointments', valid(createAppointmentRequest, body)),
    sendSystemNotification: (body) =>
      call('POST', '/api/admin/system-notifications', valid(systemNotificationRequest, body)),
    testAppointmentReminder: (body) =>
      call('POST', '/api/test/appointment-reminder', valid(testAppointmentReminderRequest, body)),
    testSystemNotification: (body) =>
      call('POST', '/api/test/system-notification', valid(testSystemNotificationRequest, body)),
    testNewMessage: (body) =>
      call('POST', '/api/test/new-message', valid(testNewMessageRequest, body)),
    ack: (body) => call('POST', '/api/events/ack', valid(ackRequest, body)),
    signOutEverywhere: () => call('POST', '/api/me/sign-out-everywhere', {}),
    updateConversation: (conversationId, body) =>
      call(
        'PATCH',
        `/api/conversations/${id(conversationId)}`,
        valid(updateConversationRequest, body),
      ),
    addParticipants: (conversationId, body) =>
      call(
        'POST',
        `/api/conversations/${id(conversationId)}/participants`,
        valid(addParticipantsRequest, body),
      ),
    removeParticipant: (conversationId, userId) =>
      call('DELETE', `/api/conversations/${id(conversationId)}/participants/${id(userId)}`),
    editMessage: (conversationId, messageId, text) =>
      call(
        'PATCH',
        `/api/conversations/${id(conversationId)}/messages/${id(messageId)}`,
        valid(editMessageRequest, { text }),
      ),
    deleteMessage: (conversationId, messageId) =>
      call('DELETE', `/api/conversations/${id(conversationId)}/messages/${id(messageId)}`),
    acknowledgeMessage: (conversationId, messageId, acknowledged) =>
      call(
        'POST',
        `/api/conversations/${id(conversationId)}/messages/${id(messageId)}/acknowledgement`,
        valid(acknowledgeMessageRequest, { acknowledged }),
      ),
    search: (query) => call('GET', `/api/search?q=${encodeURIComponent(query)}`),
    mySettings: () => call('GET', '/api/me/settings'),
    updateMySettings: (body) =>
      call('PATCH', '/api/me/settings', valid(personalSettingsPatch, body)),
    notificationMarks: () => call('GET', '/api/notifications/marks'),
    markNotifications: (body) =>
      call('POST', '/api/notifications/marks', valid(markNotificationsRequest, body)),
    adminUsers: () => call('GET', '/api/admin/users'),
    createUser: (body) => call('POST', '/api/admin/users', valid(createUserRequest, body)),
    updateUser: (userId, body) =>
      call('PATCH', `/api/admin/users/${id(userId)}`, valid(updateUserRequest, body)),
    systemNotices: () => call('GET', '/api/admin/system-notices'),
    serverHealth: () => call('GET', '/api/admin/health'),
    eventsState: () => call('GET', '/api/events/state'),
    reportReceipts: (body) => call('POST', '/api/alerts/receipts', valid(receiptReport, body)),
    alertStatus: (alertId) => call('GET', `/api/alerts/${id(alertId)}`),
    conversationAlerts: (conversationId) =>
      call('GET', `/api/conversations/${id(conversationId)}/alerts`),
    acknowledgeAlert: (alertId, body) =>
      call('POST', `/api/alerts/${id(alertId)}/acknowledge`, valid(acknowledgeRequest, body)),
    alertSettings: () => call('GET', '/api/alerts/settings'),
    updateAlertSettings: (body) =>
      call('PATCH', '/api/admin/alert-settings', valid(alertSettingsPatch, body)),
    presence: () => call('GET', '/api/presence'),
    reportPresence: (body) => call('POST', '/api/presence/report', valid(presenceReport, body)),
    choosePresence: (body) => call('POST', '/api/me/presence', valid(presenceChoiceRequest, body)),
    onDuty: () => call('GET', '/api/duty'),
    setOwnDuty: (body) => call('POST', '/api/duty', valid(setDutyRequest, body)),
    setDutyOf: (userId, body) =>
      call('POST', `/api/admin/duty/${id(userId)}`, valid(setDutyRequest, body)),
    sendRoleMessage: (body) => call('POST', '/api/role-messages', valid(roleMessageRequest, body)),
    auditAlerts: (query) => call('GET', `/api/admin/audit/alerts${queryString(query)}`),
    auditAlert: (alertId) => call('GET', `/api/admin/audit/alerts/${id(alertId)}`),
    auditExport: (query) => call('GET', `/api/admin/audit/export${queryString(query)}`),
    onUnauthorized: (listener) => {
      unauthorizedListeners.add(listener);
      return () => unauthorizedListeners.delete(listener);
    },
  };
}

/**
 * `?a=1&b=x` of the fields that are set, or nothing. Every character beyond letters, digits and
 * `-_.` is percent-encoded (a space too, never `+`), so the path passes the desktop bridge's check.
 */
function queryString(query: Record<string, string | number | boolean | undefined>): string {
  const encode = (text: string) =>
    encodeURIComponent(text).replace(
      /[!'()*~]/g,
      (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  const pairs = Object.entries(query)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([key, value]) => `${encode(key)}=${encode(String(value))}`);
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}
