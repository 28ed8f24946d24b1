import { isAppUrl } from '../window/app-files.js';

/** What main knows about the frame an IPC message came from (Electron's `event.senderFrame`). */
export interface SenderFrame {
  url: string;
  /** The top frame of its page (an iframe inside the page is not trusted). */
  isMainFrame: boolean;
  /** `webContents.id` of the page that holds the frame. */
  webContentsId: number;
}

/**
 * IPC is accepted only from the top frame of the app's own window showing the app's own bundle.
 * A frame that navigated elsewhere, an embedded frame, or another window gets nothing.
 */
export function isTrustedSender(
  frame: SenderFrame | null,
  appWindowWebContentsId: number | null,
): boolean {
  if (!frame || appWindowWebContentsId === null) return false;
  if (!frame.isMainFrame || frame.webContentsId !== appWindowWebContentsId) return false;
  return isAppUrl(frame.url);
}
