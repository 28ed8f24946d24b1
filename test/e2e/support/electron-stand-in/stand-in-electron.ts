import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { runSandboxedPreload, type ExposedBridge } from './sandboxed-preload.js';

/**
 * A STRICT STAND-IN for the `electron` module, NOT Electron: it lets the real bundle
 * (dist/desktop/main.cjs and preload.cjs, unchanged) run under Node in a test. It implements
 * only what ClinicPulse uses, and refuses what real Electron refuses: window, tray, pop-up,
 * session and protocol calls before `ready`, scheme registration after it, and any call after
 * the app quit. Each refusal throws and is recorded in `violations`, so a swallowed one still
 * fails the test. Behind the window is Debian's Chromium through Playwright; pop-ups, the tray,
 * the badge and the clipboard are recorded. What it cannot show: Chromium's own network stack
 * (requests go through Node's fetch), the real OS notification daemon and tray, the fuses.
 */
export interface StandInOptions {
  browser: Browser;
  appPath: string;
  resourcesPath: string;
  userData: string;
}

export interface RecordedNotification {
  options: Record<string, unknown>;
  shown: boolean;
  /** Taken off the screen by the app (an alert acknowledged elsewhere). */
  closed: boolean;
  click(): void;
}

type Listener = (...args: never[]) => unknown;

class PreventableEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

const APP_SCHEME_HOST = 'app://clinicpulse';

export class StandInElectron {
  readonly violations: string[] = [];
  readonly notifications: RecordedNotification[] = [];
  readonly partitions: { name: string; options: unknown; fetches: number }[] = [];
  readonly errorBoxes: { title: string; content: string }[] = [];
  readonly clipboard: string[] = [];
  badgeCount = 0;
  exitCode: number | null = null;
  readonly windows: StandInWindow[] = [];
  readonly trays: StandInTray[] = [];

  /** Resolves with the first window once its page has loaded (Playwright's firstWindow). */
  readonly firstWindow: Promise<StandInWindow>;
  private resolveFirstWindow!: (window: StandInWindow) => void;
  private phase: 'loading' | 'ready' | 'quit' = 'loading';
  private readonly appEvents = new EventEmitter();
  private readonly readyPromise: Promise<void>;
  private resolveReady!: () => void;
  private schemes: string[] = [];
  private protocolHandler: ((request: Request) => Promise<Response>) | null = null;
  private protocolServer: Server | null = null;
  private protocolOrigin: string | null = null;
  private readonly ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  private readonly ipcListeners = new Map<
    string,
    ((event: unknown, ...args: unknown[]) => void)[]
  >();
  private readonly paths = new Map<string, string>();
  private readonly keyringKey = randomBytes(32);
  private quitting = false;

  constructor(private readonly options: StandInOptions) {
    this.readyPromise = new Promise((resolve) => (this.resolveReady = resolve));
    this.firstWindow = new Promise((resolve) => (this.resolveFirstWindow = resolve));
    this.paths.set('userData', options.userData);
    this.paths.set('appData', `${options.userData}-appData`);
    this.paths.set('crashDumps', `${options.userData}/Crashpad`);
  }

  /** Electron emits `ready` once the bundle's top level has run. */
  becomeReady(): void {
    this.phase = 'ready';
    this.resolveReady();
    this.appEvents.emit('ready');
  }

  /** What the renderer-side `electron` of a sandboxed preload may reach. */
  ipcFromPage(window: StandInWindow) {
    return {
      invoke: async (channel: string, ...args: unknown[]) => {
        const handler = this.ipcHandlers.get(channel);
        if (!handler) throw new Error(`No handler registered for '${channel}'`);
        const result = await handler(this.senderEvent(window), ...structuredClone(args));
        return structuredClone(result);
      },
      send: (channel: string, ...args: unknown[]) => {
        for (const listener of this.ipcListeners.get(channel) ?? [])
          listener(this.senderEvent(window), ...structuredClone(args));
      },
    };
  }

  async close(): Promise<void> {
    await new Promise((resolve) =>
      this.protocolServer ? this.protocolServer.close(resolve) : resolve(null),
    );
    for (const window of this.windows) await window.page?.close().catch(() => undefined);
  }

  private module: Record<string, unknown> | null = null;

  /** The `electron` module as the main process sees it (one object, like a cached require). */
  get mainModule(): Record<string, unknown> {
    this.module ??= this.createMainModule();
    return this.module;
  }

  private createMainModule(): Record<string, unknown> {
    const defaultSession = () => this.standInSession('(default, persistent)', undefined);
    const guard = (what: string, { beforeReady = false } = {}) => {
      if (this.phase === 'quit') this.refuse(`${what} after the app quit`);
      if (!beforeReady && this.phase === 'loading') this.refuse(`${what} before the app is ready`);
    };
    const app = {
      isPackaged: false,
      on: (event: string, listener: Listener) => {
        guard(`app.on('${event}')`, { beforeReady: true });
        this.appEvents.on(event, listener as (...args: unknown[]) => void);
        return app;
      },
      once: (event: string, listener: Listener) => {
        this.appEvents.once(event, listener as (...args: unknown[]) => void);
        return app;
      },
      whenReady: () => this.readyPromise,
      isReady: () => this.phase === 'ready',
      setPath: (name: string, path: string) => {
        guard('app.setPath', { beforeReady: true });
        this.paths.set(name, path);
      },
      getPath: (name: string) => {
        const path = this.paths.get(name);
        if (!path) this.refuse(`app.getPath('${name}') is not known to the stand-in`);
        return path;
      },
      getAppPath: () => this.options.appPath,
      getVersion: () => '0.1.0',
      setAppUserModelId: () => guard('app.setAppUserModelId', { beforeReady: true }),
      requestSingleInstanceLock: () => true,
      getLoginItemSettings: () => ({ openAtLogin: false, wasOpenedAtLogin: false }),
      setLoginItemSettings: () => guard('app.setLoginItemSettings'),
      isDefaultProtocolClient: () => false,
      setAsDefaultProtocolClient: () => true,
      setBadgeCount: (count: number) => {
        guard('app.setBadgeCount');
        this.badgeCount = count;
        return true;
      },
      quit: () => this.quit(),
      exit: (code = 0) => this.finish(code),
    };
    return {
      app,
      crashReporter: { start: () => guard('crashReporter.start', { beforeReady: true }) },
      dialog: {
        showErrorBox: (title: string, content: string) => this.errorBoxes.push({ title, content }),
      },
      protocol: {
        registerSchemesAsPrivileged: (schemes: { scheme: string }[]) => {
          if (this.phase !== 'loading')
            this.refuse('protocol.registerSchemesAsPrivileged after ready');
          this.schemes.push(...schemes.map((scheme) => scheme.scheme));
        },
        handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
          guard('protocol.handle');
          if (!this.schemes.includes(scheme))
            this.refuse(`protocol.handle('${scheme}') for a scheme never registered`);
          this.protocolHandler = handler;
        },
      },
      session: {
        get defaultSession() {
          guard('session.defaultSession');
          return defaultSession();
        },
        fromPartition: (name: string, options: unknown) => {
          guard('session.fromPartition');
          return this.standInSession(name, options);
        },
      },
      net: {
        isOnline: () => true,
        fetch: () => this.refuse('net.fetch: the app must use its in-memory session'),
      },
      powerMonitor: {
        on: () => guard('powerMonitor.on'),
        // Someone is at the stand-in's desk.
        getSystemIdleTime: () => {
          guard('powerMonitor.getSystemIdleTime');
          return 0;
        },
      },
      clipboard: { writeText: (text: string) => this.clipboard.push(text) },
      shell: { openExternal: async () => undefined },
      nativeImage: {
        createFromPath: (path: string) => ({ isEmpty: () => !existsSync(path), path }),
      },
      safeStorage: {
        isEncryptionAvailable: () => {
          guard('safeStorage');
          return true;
        },
        getSelectedStorageBackend: () => 'gnome_libsecret',
        // Stands in for the OS keyring: real AES-GCM under a key only "the OS" holds.
        encryptString: (plainText: string) => {
          guard('safeStorage.encryptString');
          const iv = randomBytes(12);
          const cipher = createCipheriv('aes-256-gcm', this.keyringKey, iv);
          const data = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
          return Buffer.concat([iv, cipher.getAuthTag(), data]);
        },
        decryptString: (data: Buffer) => {
          guard('safeStorage.decryptString');
          return this.keyringDecrypt(data);
        },
      },
      ipcMain: {
        handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => {
          guard('ipcMain.handle');
          if (this.ipcHandlers.has(channel)) this.refuse(`a second ipcMain.handle('${channel}')`);
          this.ipcHandlers.set(channel, handler);
        },
        on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
          guard('ipcMain.on');
          this.ipcListeners.set(channel, [...(this.ipcListeners.get(channel) ?? []), listener]);
        },
      },
      Notification: this.notificationClass(guard),
      Tray: this.trayClass(guard),
      Menu: { buildFromTemplate: (template: unknown[]) => ({ items: template }) },
      BrowserWindow: this.windowClass(guard),
      autoUpdater: new EventEmitter(),
    };
  }

  /** The page's URL as Electron would report it: on app://clinicpulse, not the loopback stand-in. */
  appUrlOf(url: string): string {
    return this.protocolOrigin && url.startsWith(this.protocolOrigin)
      ? APP_SCHEME_HOST + url.slice(this.protocolOrigin.length)
      : url;
  }

  /**
   * Chromium here cannot be given a custom scheme, so `app://clinicpulse/…` is served from a
   * loopback port by the app's own `protocol.handle` handler, unchanged (headers and CSP too).
   */
  async serveAppScheme(): Promise<string> {
    if (this.protocolOrigin) return this.protocolOrigin;
    const server = createServer((request, response) => {
      const handler = this.protocolHandler;
      if (!handler) {
        response.writeHead(500).end('no protocol handler');
        return;
      }
      void handler(new Request(`${APP_SCHEME_HOST}${request.url ?? '/'}`))
        .then(async (answer) => {
          response.writeHead(answer.status, Object.fromEntries(answer.headers));
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch((error: unknown) => response.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.protocolServer = server;
    this.protocolOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.protocolOrigin;
  }

  /** The OS telling the app something: `second-instance` (a second launch), `open-url` (macOS). */
  emitAppEvent(name: 'second-instance' | 'open-url', ...args: unknown[]): void {
    this.appEvents.emit(name, new PreventableEvent(), ...args);
  }

  /** What the stand-in keyring holds under an encrypted value (for the test to look for it). */
  keyringDecrypt(data: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.keyringKey, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
  }

  windowLoaded(window: StandInWindow): void {
    this.resolveFirstWindow(window);
  }

  refuse(what: string): never {
    this.violations.push(what);
    throw new Error(`electron stand-in: ${what}`);
  }

  private senderEvent(window: StandInWindow) {
    const url = this.appUrlOf(window.page?.url() ?? '');
    return { sender: window.webContents, senderFrame: { url, parent: null } };
  }

  private standInSession(name: string, options: unknown) {
    let record = this.partitions.find((partition) => partition.name === name);
    if (!record) {
      record = { name, options, fetches: 0 };
      this.partitions.push(record);
    }
    const counted = record;
    return {
      setPermissionRequestHandler: () => undefined,
      setPermissionCheckHandler: () => undefined,
      fetch: (url: string, init: RequestInit) => {
        if (this.phase === 'quit') this.refuse(`a request to ${url} after the app quit`);
        counted.fetches++;
        return fetch(url, init);
      },
    };
  }

  private quit(): void {
    if (this.phase === 'quit' || this.quitting) return;
    this.quitting = true;
    try {
      const beforeQuit = new PreventableEvent();
      this.appEvents.emit('before-quit', beforeQuit);
      if (beforeQuit.defaultPrevented) return;
      for (const window of this.windows.filter((candidate) => !candidate.isDestroyed())) {
        if (!window.close()) return;
      }
      const willQuit = new PreventableEvent();
      this.appEvents.emit('will-quit', willQuit);
      if (willQuit.defaultPrevented) return;
      this.appEvents.emit('quit', new PreventableEvent(), 0);
      this.finish(0);
    } finally {
      this.quitting = false;
    }
  }

  private finish(code: number): void {
    if (this.phase === 'quit') return;
    this.phase = 'quit';
    this.exitCode = code;
  }

  private notificationClass(guard: (what: string) => void) {
    const shown = this.notifications;
    return class StandInNotification extends EventEmitter {
      static isSupported() {
        return true;
      }
      private readonly record: RecordedNotification;
      constructor(options: Record<string, unknown>) {
        super();
        guard('new Notification');
        this.record = {
          options,
          shown: false,
          closed: false,
          click: () => this.emit('click', new PreventableEvent()),
        };
      }
      show() {
        guard('Notification.show');
        this.record.shown = true;
        shown.push(this.record);
        setImmediate(() => this.emit('show', new PreventableEvent()));
      }
      close() {
        guard('Notification.close');
        this.record.closed = true;
        setImmediate(() => this.emit('close', new PreventableEvent()));
      }
    };
  }

  private trayClass(guard: (what: string) => void) {
    const trays = this.trays;
    return class extends StandInTray {
      constructor(image: unknown) {
        guard('new Tray');
        super(image, guard);
        trays.push(this);
      }
    };
  }

  private windowClass(guard: (what: string) => void) {
    const owner = (): StandInElectron => this;
    return class extends StandInWindow {
      constructor(options: StandInWindowOptions) {
        guard('new BrowserWindow');
        super(owner(), options, guard);
        owner().windows.push(this);
      }
    };
  }

  /** Chromium for the window: a page in the shared browser. */
  async newPage(): Promise<Page> {
    const context = await this.options.browser.newContext();
    return context.newPage();
  }
}

export class StandInTray extends EventEmitter {
  tooltip = '';
  menu: { label?: string; click?: () => void; type?: string }[] = [];
  image: unknown;
  destroyed = false;
  constructor(
    image: unknown,
    private readonly guard: (what: string) => void,
  ) {
    super();
    this.image = image;
  }
  setToolTip(text: string) {
    this.guard('tray.setToolTip');
    this.tooltip = text;
  }
  setContextMenu(menu: { items: StandInTray['menu'] }) {
    this.guard('tray.setContextMenu');
    this.menu = menu.items;
  }
  setImage(image: unknown) {
    this.guard('tray.setImage');
    this.image = image;
  }
  destroy() {
    this.destroyed = true;
  }
  /** A click on a menu item, as the user would make it. */
  clickMenuItem(label: string) {
    const item = this.menu.find((candidate) => candidate.label === label);
    if (!item?.click)
      throw new Error(
        `no tray menu item "${label}" (have: ${this.menu.map((i) => i.label).join(', ')})`,
      );
    item.click();
  }
}

interface StandInWindowOptions {
  show?: boolean;
  webPreferences?: {
    preload?: string;
    sandbox?: boolean;
    contextIsolation?: boolean;
    nodeIntegration?: boolean;
  };
}

let nextWebContentsId = 1;

export class StandInWindow extends EventEmitter {
  page: Page | null = null;
  visible = false;
  minimized = false;
  bridge: ExposedBridge | null = null;
  overlay: unknown = null;
  readonly webContents: EventEmitter & Record<string, unknown>;
  private destroyed = false;
  private loading = true;
  private readonly pageReady: Promise<Page>;

  constructor(
    private readonly electron: StandInElectron,
    readonly options: StandInWindowOptions,
    private readonly guard: (what: string) => void,
  ) {
    super();
    const preferences = options.webPreferences ?? {};
    if (!preferences.sandbox || !preferences.contextIsolation || preferences.nodeIntegration)
      electron.refuse('a window without sandbox and context isolation, or with Node');
    this.pageReady = electron.newPage();
    const contents = new EventEmitter() as EventEmitter & Record<string, unknown>;
    Object.assign(contents, {
      id: nextWebContentsId++,
      isLoading: () => this.loading,
      setWindowOpenHandler: () => undefined,
      send: (channel: string, payload: unknown) => {
        this.guard('webContents.send');
        this.bridge?.push(channel, structuredClone(payload));
      },
      reload: () => void this.page?.reload(),
    });
    this.webContents = contents;
  }

  async loadURL(url: string): Promise<void> {
    this.guard('loadURL');
    const page = await this.pageReady;
    this.page = page;
    const origin = await this.electron.serveAppScheme();
    const preload = this.options.webPreferences?.preload;
    if (preload)
      this.bridge = await runSandboxedPreload(preload, page, this.electron.ipcFromPage(this));
    await page.goto(
      url.startsWith(APP_SCHEME_HOST) ? origin + url.slice(APP_SCHEME_HOST.length) : url,
    );
    this.loading = false;
    this.electron.windowLoaded(this);
    this.webContents.emit('did-finish-load');
    this.emit('ready-to-show');
  }

  show() {
    this.guard('window.show');
    this.visible = true;
    this.minimized = false;
    this.emit('show');
  }
  hide() {
    this.guard('window.hide');
    this.visible = false;
    this.emit('hide');
  }
  focus() {
    this.guard('window.focus');
    this.emit('focus');
  }
  minimize() {
    this.minimized = true;
    this.emit('minimize');
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
  }
  isVisible() {
    return this.visible;
  }
  isDestroyed() {
    return this.destroyed;
  }
  setOverlayIcon(image: unknown) {
    this.overlay = image;
  }

  /** The user closes the window (or quit closes it); false when the app prevented it. */
  close(): boolean {
    const event = new PreventableEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
    void this.page?.close().catch(() => undefined);
    return true;
  }
}
