import { ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import type { z } from 'zod';
import {
  INVOKE_ARGUMENTS,
  INVOKE_CHANNELS,
  PUSH_CHANNELS,
  SEND_ARGUMENTS,
  SEND_CHANNELS,
  type InvokeArguments,
  type InvokeMethod,
  type InvokeResult,
  type PushMethod,
  type PushPayload,
} from '../../common/ipc-channels.js';
import type { DesktopCore } from '../core/desktop-core.js';
import { isTrustedSender, type SenderFrame } from './trusted-sender.js';

type InvokeHandlers = {
  [M in InvokeMethod]: (...args: InvokeArguments<M>) => Promise<InvokeResult<M>>;
};

/**
 * Every channel of the map, handled: the sender must be the app window's top frame showing the
 * app's own bundle, and the arguments must pass the channel's zod schema, or nothing runs.
 */
export function registerIpcHandlers(
  core: DesktopCore,
  appWindowWebContentsId: () => number | null,
): void {
  const handlers: InvokeHandlers = {
    getState: async () => core.state(),
    signIn: (request) => core.signIn(request),
    unlock: (password) => core.unlock(password),
    signOut: () => core.signOut(),
    request: (request) => core.request(request),
    updateSettings: (patch) => core.updateSettings(patch),
    markAllRead: () => core.markAllRead(),
    getDeskName: () => core.deskName(),
    setDeskName: (name) => core.setDeskName(name),
  };
  const register = <M extends InvokeMethod>(method: M) => {
    ipcMain.handle(INVOKE_CHANNELS[method], (event, ...args: unknown[]) => {
      if (!isTrustedSender(senderOf(event), appWindowWebContentsId()))
        throw new Error('refused: not the ClinicPulse window');
      const schema = INVOKE_ARGUMENTS[method] as unknown as z.ZodType<InvokeArguments<M>>;
      const parsed = schema.safeParse(args);
      if (!parsed.success)
        throw new Error(
          `invalid arguments for ${method}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`,
        );
      const handler = handlers[method] as (
        ...values: InvokeArguments<M>
      ) => Promise<InvokeResult<M>>;
      return handler(...parsed.data);
    });
  };
  for (const method of Object.keys(INVOKE_CHANNELS) as InvokeMethod[]) register(method);

  ipcMain.on(SEND_CHANNELS.setOpenConversation, (event, ...args: unknown[]) => {
    if (!isTrustedSender(senderOf(event), appWindowWebContentsId())) return;
    const parsed = SEND_ARGUMENTS.setOpenConversation.safeParse(args);
    if (parsed.success) core.setOpenConversation(parsed.data[0]);
  });
}

/** Main → renderer, typed by the same map. */
export function pushToRenderer<M extends PushMethod>(
  window: BrowserWindow | null,
  method: M,
  payload: PushPayload<M>,
): void {
  if (!window || window.isDestroyed()) return;
  window.webContents.send(PUSH_CHANNELS[method], payload);
}

function senderOf(event: IpcMainInvokeEvent | IpcMainEvent): SenderFrame | null {
  const frame = event.senderFrame;
  if (!frame) return null;
  return { url: frame.url, isMainFrame: frame.parent === null, webContentsId: event.sender.id };
}
