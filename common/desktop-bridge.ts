import { z } from 'zod';
import type { ControlEvent, StreamEvent } from './events.js';
import type { User } from './api.js';

/**
 * What the preload script exposes to the renderer as `window.clinicPulse`. The main process
 * owns the only stream connection and the session token; the renderer reaches the REST API
 * through `request`, so the token never enters the web page.
 */

export const PREVIEW_LEVELS = ['sender_and_text', 'sender_only', 'count_only'] as const;
export type PreviewLevel = (typeof PREVIEW_LEVELS)[number];

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time of day as HH:MM');

export const desktopSettings = z.object({
  previewLevel: z.enum(PREVIEW_LEVELS),
  doNotDisturb: z.boolean(),
  /**
   * When do-not-disturb ends by itself (ISO 8601); null or absent: when the person turns it off.
   * Once past, do-not-disturb no longer holds anything back (common/do-not-disturb.ts).
   */
  doNotDisturbUntil: z.iso.datetime({ offset: true }).nullable().optional(),
  quietHours: z.object({ enabled: z.boolean(), start: clockTime, end: clockTime }),
  sound: z.boolean(),
  startAtLogin: z.boolean(),
  closeToTray: z.boolean(),
  /**
   * The desk keeps pop-up settings of its own instead of following the person's (kept on the
   * server); absent: it follows them. Optional rather than defaulted, so a patch without it
   * never resets it.
   */
  keepOwnSettings: z.boolean().optional(),
});
export type DesktopSettings = z.infer<typeof desktopSettings>;
export const desktopSettingsPatch = desktopSettings.partial().strict();
export type DesktopSettingsPatch = z.infer<typeof desktopSettingsPatch>;

export const DEFAULT_DESKTOP_SETTINGS: DesktopSettings = {
  // Pop-ups show on screens patients can see, and messages may name patients.
  previewLevel: 'sender_only',
  doNotDisturb: false,
  quietHours: { enabled: false, start: '22:00', end: '07:00' },
  sound: true,
  startAtLogin: false,
  closeToTray: true,
};

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'signed_out';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Epoch ms of the next connection attempt while reconnecting. */
  nextRetryAt: number | null;
  /** A human-readable reason for the current state, when there is one. */
  detail: string | null;
}

export interface DesktopSession {
  serverUrl: string;
  user: User;
}

export interface DesktopState {
  session: DesktopSession | null;
  /** The server URL last used or preset by the clinic's IT admin at install time. */
  serverUrl: string | null;
  connection: ConnectionState;
  settings: DesktopSettings;
  unreadCount: number;
  /** Why the user must sign in again, e.g. no OS secret store to keep the token in. */
  notice: string | null;
  /**
   * The app is locked since the OS screen locked: the window shows only the lock screen until
   * the person types their password (`unlock`). Absent: not locked.
   */
  locked?: boolean;
}

export const signInRequest = z.object({
  serverUrl: z.url({ protocol: /^https?$/ }),
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});
export type SignInRequest = z.infer<typeof signInRequest>;

export const HTTP_METHODS = ['GET', 'POST', 'PATCH', 'DELETE'] as const;

export const bridgeApiRequest = z.object({
  method: z.enum(HTTP_METHODS),
  path: z.string().regex(/^\/api\/[A-Za-z0-9/_\-?=&.%]*$/, 'path must be under /api/'),
  body: z.unknown().optional(),
});
export type BridgeApiRequest = z.infer<typeof bridgeApiRequest>;

export interface BridgeApiResponse {
  status: number;
  body: unknown;
}

export type NotificationTarget =
  | { kind: 'conversation'; conversationId: string }
  | { kind: 'appointment'; appointmentId: string }
  | { kind: 'inbox' };

export type Unsubscribe = () => void;

export interface DesktopBridge {
  getState(): Promise<DesktopState>;
  signIn(request: SignInRequest): Promise<DesktopState>;
  signOut(): Promise<DesktopState>;
  /** Opens the app again after the OS screen lock: the signed-in person's password. */
  unlock(password: string): Promise<DesktopState>;
  request(request: BridgeApiRequest): Promise<BridgeApiResponse>;
  updateSettings(patch: DesktopSettingsPatch): Promise<DesktopSettings>;
  /** Which conversation is open in the window, so no pop-up is raised for it while focused. */
  setOpenConversation(conversationId: string | null): void;
  markAllRead(): Promise<void>;
  /**
   * What colleagues see this desk called in their receipts ("Shown on Nurses' station PC"):
   * the computer's name until someone names it here; null when the desk has no identity.
   */
  getDeskName(): Promise<string | null>;
  setDeskName(name: string): Promise<string>;
  onEvent(listener: (event: StreamEvent | ControlEvent) => void): Unsubscribe;
  onConnectionState(listener: (state: ConnectionState) => void): Unsubscribe;
  onUnreadCount(listener: (count: number) => void): Unsubscribe;
  onNotificationClick(listener: (target: NotificationTarget) => void): Unsubscribe;
  /** The whole state, whenever the main process changed it (settings from the tray or the person's other desks). */
  onState(listener: (state: DesktopState) => void): Unsubscribe;
}
