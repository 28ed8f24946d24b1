import { z } from 'zod';
import { deskName } from './alerts.js';
import {
  bridgeApiRequest,
  desktopSettingsPatch,
  signInRequest,
  type DesktopBridge,
} from './desktop-bridge.js';

/**
 * The one map from IPC channel to its arguments and result, typed from `DesktopBridge`: the
 * preload script, the main process's handlers and the renderer all use it, so a renamed or
 * reshaped channel fails to compile everywhere at once. Main validates every argument against
 * the zod schema here before use; nothing else crosses the process boundary.
 *
 * The schemas are built in functions marked pure, so the preload bundle, which needs only the
 * channel names, leaves them (and zod) out.
 */

/** Renderer → main calls that answer (`ipcRenderer.invoke` / `ipcMain.handle`). */
export const INVOKE_CHANNELS = {
  getState: 'clinicpulse:get-state',
  signIn: 'clinicpulse:sign-in',
  signOut: 'clinicpulse:sign-out',
  unlock: 'clinicpulse:unlock',
  request: 'clinicpulse:request',
  updateSettings: 'clinicpulse:update-settings',
  markAllRead: 'clinicpulse:mark-all-read',
  getDeskName: 'clinicpulse:get-desk-name',
  setDeskName: 'clinicpulse:set-desk-name',
} as const;
export type InvokeMethod = keyof typeof INVOKE_CHANNELS;
export type InvokeArguments<M extends InvokeMethod> = Parameters<DesktopBridge[M]>;
export type InvokeResult<M extends InvokeMethod> = Awaited<ReturnType<DesktopBridge[M]>>;

export const INVOKE_ARGUMENTS = /* @__PURE__ */ (() =>
  ({
    getState: z.tuple([]),
    signIn: z.tuple([signInRequest]),
    signOut: z.tuple([]),
    unlock: z.tuple([z.string().min(1).max(200)]),
    request: z.tuple([bridgeApiRequest]),
    updateSettings: z.tuple([desktopSettingsPatch]),
    markAllRead: z.tuple([]),
    getDeskName: z.tuple([]),
    setDeskName: z.tuple([deskName]),
  }) satisfies { [M in InvokeMethod]: z.ZodType<InvokeArguments<M>> })();

/** Renderer → main messages without an answer (`ipcRenderer.send` / `ipcMain.on`). */
export const SEND_CHANNELS = {
  setOpenConversation: 'clinicpulse:set-open-conversation',
} as const;
export type SendMethod = keyof typeof SEND_CHANNELS;
export type SendArguments<M extends SendMethod> = Parameters<DesktopBridge[M]>;

export const SEND_ARGUMENTS = /* @__PURE__ */ (() =>
  ({
    setOpenConversation: z.tuple([z.string().min(1).max(64).nullable()]),
  }) satisfies { [M in SendMethod]: z.ZodType<SendArguments<M>> })();

/** Main → renderer pushes (`webContents.send`), one per `on…` method of the bridge. */
export const PUSH_CHANNELS = {
  onEvent: 'clinicpulse:event',
  onConnectionState: 'clinicpulse:connection-state',
  onUnreadCount: 'clinicpulse:unread-count',
  onNotificationClick: 'clinicpulse:notification-click',
  onState: 'clinicpulse:state',
} as const;
export type PushMethod = keyof typeof PUSH_CHANNELS;
export type PushPayload<M extends PushMethod> = Parameters<Parameters<DesktopBridge[M]>[0]>[0];

type AssertNever<T extends never> = T;
/** Fails to compile when a bridge method has no channel. */
export type EveryBridgeMethodHasAChannel = AssertNever<
  Exclude<keyof DesktopBridge, InvokeMethod | SendMethod | PushMethod>
>;
