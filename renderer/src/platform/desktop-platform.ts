import type { DesktopBridge } from '../../../common/desktop-bridge.js';
import { createApiClient } from '../api/api-client.js';
import { ApiError } from '../api/api-error.js';
import { createBridgeTransport } from '../api/api-transport.js';
import { BridgeEventFeed } from '../events/bridge-event-feed.js';
import { EventHub } from '../events/event-hub.js';
import { ipcErrorMessage } from './ipc-error.js';
import type { Platform } from './platform.js';

const ALL_SETTINGS = new Set([
  'previewLevel',
  'doNotDisturb',
  'quietHours',
  'sound',
  'startAtLogin',
  'closeToTray',
] as const);

/**
 * The Electron window: the main process owns the server URL, the token and the one stream;
 * this page asks it for everything through the preload bridge.
 */
export function createDesktopPlatform(bridge: DesktopBridge): Platform {
  const api = createApiClient(createBridgeTransport(bridge));

  return {
    kind: 'desktop',
    api,
    showsOwnPopups: false,
    settings: {
      applicable: ALL_SETTINGS,
      followsPersonItself: true,
      load: async () => (await bridge.getState()).settings,
      update: (patch) => bridge.updateSettings(patch),
      subscribe: (listener) => bridge.onState((state) => listener(state.settings)),
    },
    async restoreSession() {
      const state = await bridge.getState();
      return {
        user: state.session?.user ?? null,
        serverUrl: state.session?.serverUrl ?? state.serverUrl,
        notice: state.notice,
      };
    },
    async signIn({ serverUrl, username, password }) {
      if (!serverUrl)
        throw new ApiError(0, 'validation_failed', 'Enter the address of the clinic server.');
      let state;
      try {
        state = await bridge.signIn({ serverUrl, username, password });
      } catch (error) {
        throw new ApiError(0, 'unexpected_response', ipcErrorMessage(error, 'Sign-in failed.'));
      }
      if (!state.session)
        throw new ApiError(401, 'invalid_credentials', state.notice ?? 'Sign-in failed.');
      return state.session.user;
    },
    async signOut() {
      await bridge.signOut();
    },
    createEventHub() {
      return new EventHub(new BridgeEventFeed(bridge), { historyBeforeFirstReady: false });
    },
    async markAllRead() {
      // The main process knows the newest id it received and keeps the tray badge in step.
      await bridge.markAllRead();
    },
    setOpenConversation(conversationId) {
      bridge.setOpenConversation(conversationId === null ? null : String(conversationId));
    },
    onNotificationClick(listener) {
      return bridge.onNotificationClick(listener);
    },
    appLock: {
      subscribe(listener) {
        let current = true;
        void bridge.getState().then((state) => {
          if (current) listener(state.locked === true);
        });
        const unsubscribe = bridge.onState((state) => listener(state.locked === true));
        return () => {
          current = false;
          unsubscribe();
        };
      },
      async unlock(password) {
        try {
          await bridge.unlock(password);
        } catch (error) {
          throw new ApiError(401, 'invalid_credentials', ipcErrorMessage(error, 'Unlock failed.'));
        }
      },
    },
  };
}
