import type { User } from '../../../common/api.js';
import type {
  DesktopSettings,
  DesktopSettingsPatch,
  NotificationTarget,
  Unsubscribe,
} from '../../../common/desktop-bridge.js';
import type { ApiClient } from '../api/api-client.js';
import type { EventHub } from '../events/event-hub.js';

export interface SignInInput {
  /** Only the desktop app asks for it; in a browser the server is the page's own origin. */
  serverUrl?: string;
  username: string;
  password: string;
}

export interface SessionSnapshot {
  user: User | null;
  /** The server URL to prefill on the sign-in form (desktop only). */
  serverUrl: string | null;
  /** Why the person has to sign in again, when the platform knows. */
  notice: string | null;
}

export interface SettingsStore {
  load(): Promise<DesktopSettings>;
  update(patch: DesktopSettingsPatch): Promise<DesktopSettings>;
  /** The settings that act here; a browser tab cannot start at login or live in a tray. */
  readonly applicable: ReadonlySet<keyof DesktopSettings>;
  /**
   * True where the store keeps the settings that follow the person in step with the server
   * itself (the desktop main process does, so pop-ups follow them with no window open); a
   * browser page does it for its own store.
   */
  readonly followsPersonItself: boolean;
  /** Changes made outside this page (the tray, the person's other desks, do-not-disturb ending). */
  subscribe?(listener: (settings: DesktopSettings) => void): Unsubscribe;
}

/**
 * What differs between the Electron window and a browser tab, behind one interface: how the
 * API is reached, where events come from, how a session starts and ends, where settings live.
 */
export interface Platform {
  readonly kind: 'desktop' | 'browser';
  readonly api: ApiClient;
  readonly settings: SettingsStore;
  restoreSession(): Promise<SessionSnapshot>;
  signIn(input: SignInInput): Promise<User>;
  signOut(): Promise<void>;
  /** A new hub over a new event source, for one signed-in session. */
  createEventHub(): EventHub;
  /** Marks every notification up to `lastEventId` read on every desk of the user. */
  markAllRead(lastEventId: number): Promise<void>;
  /** Lets the desktop app hold pop-ups for the conversation already on screen. */
  setOpenConversation(conversationId: number | null): void;
  /** Clicks on the desktop app's native pop-ups; a browser reports its own pop-ups' clicks elsewhere. */
  onNotificationClick(listener: (target: NotificationTarget) => void): Unsubscribe;
  /** Pop-ups for a hidden page are this page's job only in a browser; the desktop main process raises its own. */
  readonly showsOwnPopups: boolean;
  /**
   * The desktop app's lock, kept by the main process (it locks with the OS screen); a browser
   * locks itself after a while without use instead (lock/IdleLock.tsx).
   */
  readonly appLock?: {
    /** Called with the lock's state now and whenever it changes. */
    subscribe(listener: (locked: boolean) => void): Unsubscribe;
    unlock(password: string): Promise<void>;
  };
}
