import { BrowserWindow, shell, type NativeImage } from 'electron';
import { APP_ENTRY_URL } from './app-files.js';
import { decideWindowOpen, isAllowedNavigation } from './navigation-policy.js';

export interface MainWindowOptions {
  preloadPath: string;
  icon: NativeImage | undefined;
  /** The clinic server's origin, the one place a link may open (in the system browser). */
  serverOrigin(): string | null;
  /** Start in the tray (start at login). */
  hidden: boolean;
  devTools: boolean;
}

/** The one window: sandboxed, isolated, no Node, no navigation away from the app's own bundle. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'ClinicPulse',
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      devTools: options.devTools,
    },
  });
  const contents = window.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url, options.serverOrigin());
    if (decision.action === 'open-in-browser') void shell.openExternal(decision.url);
    return { action: 'deny' };
  });
  if (!options.hidden) window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}
