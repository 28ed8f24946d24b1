import { createApiClient } from '../api/api-client.js';
import { ApiError } from '../api/api-error.js';
import { createFetchTransport } from '../api/api-transport.js';
import {
  BrowserEventFeed,
  type EventSourceConstructor,
  type SessionCheck,
} from '../events/browser-event-feed.js';
import { EventHub } from '../events/event-hub.js';
import { createBrowserSettingsStore } from './browser-settings-store.js';
import type { Platform } from './platform.js';

const STREAM_PATH = '/api/events/stream';
const HEALTH_PATH = '/healthz';

/** The web app: same-origin REST with the httpOnly session cookie, the browser's EventSource. */
export function createBrowserPlatform(
  options: { EventSource?: EventSourceConstructor } = {},
): Platform {
  const api = createApiClient(createFetchTransport());

  const checkSession = async (): Promise<SessionCheck> => {
    try {
      await api.me();
      return 'signed_in';
    } catch (error) {
      return error instanceof ApiError && error.isUnauthorized ? 'signed_out' : 'unreachable';
    }
  };

  const probe = async (): Promise<boolean> => {
    try {
      const response = await fetch(HEALTH_PATH, { cache: 'no-store', credentials: 'omit' });
      return response.ok;
    } catch {
      return false;
    }
  };

  return {
    kind: 'browser',
    api,
    settings: createBrowserSettingsStore(),
    showsOwnPopups: true,
    async restoreSession() {
      try {
        const { user } = await api.me();
        return { user, serverUrl: null, notice: null };
      } catch (error) {
        if (error instanceof ApiError && error.isUnauthorized)
          return { user: null, serverUrl: null, notice: null };
        throw error;
      }
    },
    async signIn({ username, password }) {
      // The token in the answer is for API clients; this page lives on the httpOnly cookie alone.
      const { user } = await api.login({ username, password });
      return user;
    },
    async signOut() {
      await api.logout();
    },
    createEventHub() {
      const feed = new BrowserEventFeed({
        url: STREAM_PATH,
        EventSource: options.EventSource ?? window.EventSource,
        checkSession,
        probe,
      });
      return new EventHub(feed, { historyBeforeFirstReady: true });
    },
    async markAllRead(lastEventId) {
      await api.ack({ lastEventId });
    },
    setOpenConversation() {
      // Only the desktop main process raises pop-ups on its own; this tab knows what it shows.
    },
    onNotificationClick() {
      return () => undefined;
    },
  };
}
