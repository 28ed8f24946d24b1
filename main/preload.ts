import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { DesktopBridge } from '../common/desktop-bridge.js';
import {
  INVOKE_CHANNELS,
  PUSH_CHANNELS,
  SEND_CHANNELS,
  type PushMethod,
  type PushPayload,
} from '../common/ipc-channels.js';

/**
 * The whole bridge: named functions over the channel map, exposed as `window.clinicPulse`.
 * The page never receives `ipcRenderer`, an event object or a channel name of its choosing.
 */
function subscribe<M extends PushMethod>(method: M) {
  return (listener: (payload: PushPayload<M>) => void) => {
    const channel = PUSH_CHANNELS[method];
    const forward = (_event: IpcRendererEvent, payload: PushPayload<M>) => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  };
}

const bridge: DesktopBridge = {
  getState: () => ipcRenderer.invoke(INVOKE_CHANNELS.getState),
  signIn: (request) => ipcRenderer.invoke(INVOKE_CHANNELS.signIn, request),
  signOut: () => ipcRenderer.invoke(INVOKE_CHANNELS.signOut),
  unlock: (password) => ipcRenderer.invoke(INVOKE_CHANNELS.unlock, password),
  request: (request) => ipcRenderer.invoke(INVOKE_CHANNELS.request, request),
  updateSettings: (patch) => ipcRenderer.invoke(INVOKE_CHANNELS.updateSettings, patch),
  markAllRead: () => ipcRenderer.invoke(INVOKE_CHANNELS.markAllRead),
  getDeskName: () => ipcRenderer.invoke(INVOKE_CHANNELS.getDeskName),
  setDeskName: (name) => ipcRenderer.invoke(INVOKE_CHANNELS.setDeskName, name),
  setOpenConversation: (conversationId) =>
    ipcRenderer.send(SEND_CHANNELS.setOpenConversation, conversationId),
  onEvent: subscribe('onEvent'),
  onConnectionState: subscribe('onConnectionState'),
  onUnreadCount: subscribe('onUnreadCount'),
  onNotificationClick: subscribe('onNotificationClick'),
  onState: subscribe('onState'),
};

contextBridge.exposeInMainWorld('clinicPulse', bridge);
