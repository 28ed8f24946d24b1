import { join } from 'node:path';
import type { ApiErrorBody, LoginResponse } from '../../common/api.js';
import type {
  BridgeApiRequest,
  BridgeApiResponse,
  ConnectionState,
  DesktopSession,
  DesktopSettings,
  DesktopSettingsPatch,
  DesktopState,
  NotificationTarget,
  SignInRequest,
} from '../../common/desktop-bridge.js';
import { isDoNotDisturbOn } from '../../common/do-not-disturb.js';
import type { ControlEvent, StreamEvent } from '../../common/events.js';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import type { BurstOptions } from '../notify/burst-coalescer.js';
import type { NotificationSink } from '../notify/native-notification.js';
import type { SecretCipher } from '../session/secret-cipher.js';
import { SessionStore } from '../session/session-store.js';
import { origin, type AppConfig } from '../settings/app-config.js';
import { SettingsStore } from '../settings/settings-store.js';
import type { BackoffOptions } from '../stream/backoff.js';
import type { HttpFetch } from '../stream/http-fetch.js';
import type { Desk } from '../../common/alerts.js';
import { loadDeskIdentity, renameDeskIdentity } from '../alerts/desk-identity.js';
import { UserSession } from './user-session.js';

export interface DesktopCoreListener {
  event(event: StreamEvent | ControlEvent): void;
  connectionState(state: ConnectionState): void;
  unreadCount(count: number): void;
  /** A pop-up was clicked: show the window and open the target. */
  notificationClick(target: NotificationTarget): void;
  /** Sign-in, sign-out, settings: anything getState() would now answer differently. */
  stateChanged(state: DesktopState): void;
}

export interface DesktopCoreOptions {
  /** The app's user data directory: settings, session and cursor files live here. */
  dataDirectory: string;
  fetch: HttpFetch;
  sink: NotificationSink;
  cipher: SecretCipher;
  platform: NodeJS.Platform;
  appConfig: AppConfig;
  clock?: Clock;
  /** The OS's do-not-disturb, where it can be read. */
  osDoNotDisturb?: () => boolean;
  tuning?: { burst?: BurstOptions; backoff?: BackoffOptions; heartbeatTimeoutMs?: number };
  /** How long the OS has seen no input, in ms (`powerMonitor.getSystemIdleTime`): presence. */
  systemIdleMs?: () => number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

const SIGNED_OUT: ConnectionState = { status: 'signed_out', nextRetryAt: null, detail: null };
const SESSION_ENDED = 'Your session has ended. Please sign in again.';
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The main process without Electron: settings, the saved session, sign-in and sign-out, the
 * renderer's REST calls (made here so the token never enters the page) and the signed-in
 * user's stream and notifications. `main.ts` plugs windows, tray, IPC and the OS into it.
 */
export class DesktopCore {
  private readonly settingsStore: SettingsStore;
  private readonly sessionStore: SessionStore;
  private readonly clock: Clock;
  private readonly listeners = new Set<Partial<DesktopCoreListener>>();
  private session: { info: DesktopSession; token: string; user: UserSession } | null = null;
  private serverUrl: string | null;
  private notice: string | null = null;
  private connection: ConnectionState = SIGNED_OUT;
  private windowFocused = false;
  private openConversationId: string | null = null;
  /**
   * Sign-in, sign-out, a server-ended session and quit run one at a time, in call order: two
   * overlapping sign-ins would otherwise each start a stream and leave one running unseen,
   * popping up every event twice.
   */
  private lifecycle: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** This installation's desk, read (or made) once, when first needed. */
  private desk: Promise<Desk | null> | null = null;
  /** Locked with the OS screen, until the person's password (a new session ends it too). */
  private locked = false;
  /** Turns do-not-disturb off when its end time comes. */
  private doNotDisturbEnd: TimerHandle | undefined;

  constructor(private readonly options: DesktopCoreOptions) {
    this.settingsStore = new SettingsStore(join(options.dataDirectory, 'settings.json'));
    this.sessionStore = new SessionStore(
      join(options.dataDirectory, 'session.json'),
      options.cipher,
    );
    this.clock = options.clock ?? systemClock;
    this.serverUrl = options.appConfig.serverUrl;
  }

  subscribe(listener: Partial<DesktopCoreListener>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loads settings and the saved session; resumes the stream when a token was kept. */
  init(): Promise<DesktopState> {
    return this.serially(() => this.load());
  }

  private async load(): Promise<DesktopState> {
    await this.settingsStore.load();
    this.scheduleDoNotDisturbEnd();
    const stored = await this.sessionStore.load();
    if (stored) {
      this.serverUrl = stored.serverUrl;
      this.notice = stored.notice;
      if (stored.token)
        await this.startSession({ serverUrl: stored.serverUrl, user: stored.user }, stored.token);
    }
    return this.state();
  }

  state(): DesktopState {
    return {
      session: this.session ? structuredClone(this.session.info) : null,
      serverUrl: this.serverUrl,
      connection: this.connection,
      settings: this.settingsStore.settings,
      unreadCount: this.session?.user.unreadCount ?? 0,
      notice: this.notice,
      locked: this.locked,
    };
  }

  get settings(): DesktopSettings {
    return this.settingsStore.settings;
  }

  signIn(request: SignInRequest): Promise<DesktopState> {
    return this.serially(() => this.signInNow(request));
  }

  private async signInNow(request: SignInRequest): Promise<DesktopState> {
    const serverUrl = origin(request.serverUrl);
    let response: Response;
    try {
      response = await this.options.fetch(new URL('/api/auth/login', serverUrl).href, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: request.username, password: request.password }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new Error(
        `Cannot reach ${serverUrl}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const body = await readBody(response);
    if (response.status !== 200)
      throw new Error(
        errorMessage(body) ?? `Sign-in failed (the server answered ${response.status}).`,
      );
    const login = body as LoginResponse;
    await this.stopSession();
    const info: DesktopSession = { serverUrl, user: login.user };
    this.serverUrl = serverUrl;
    this.notice = await this.sessionStore.save({
      serverUrl,
      user: login.user,
      token: login.token,
      expiresAt: login.expiresAt,
    });
    await this.startSession(info, login.token);
    this.options.log?.('info', `signed in as user ${login.user.id} on ${serverUrl}`);
    this.emitState();
    return this.state();
  }

  signOut(): Promise<DesktopState> {
    return this.serially(() => this.signOutNow());
  }

  private async signOutNow(): Promise<DesktopState> {
    const ending = this.session;
    await this.stopSession();
    await this.sessionStore.clear();
    this.notice = null;
    if (ending) {
      // Best effort: the token is gone from this desk either way.
      await this.options
        .fetch(new URL('/api/auth/logout', ending.info.serverUrl).href, {
          method: 'POST',
          headers: { authorization: `Bearer ${ending.token}` },
          signal: AbortSignal.timeout(5_000),
        })
        .then((response) => response.body?.cancel())
        .catch(() => undefined);
    }
    if (ending) this.options.log?.('info', `signed out user ${ending.info.user.id}`);
    this.setConnection(SIGNED_OUT);
    this.emit('unreadCount', 0);
    this.emitState();
    return this.state();
  }

  /** A REST call on the renderer's behalf, with the token added here. */
  async request(request: BridgeApiRequest): Promise<BridgeApiResponse> {
    const session = this.session;
    if (!session) return apiError(401, 'unauthorized', 'not signed in');
    const url = new URL(request.path, session.info.serverUrl);
    if (url.origin !== session.info.serverUrl || !url.pathname.startsWith('/api/'))
      return apiError(400, 'bad_request', 'path must be under /api/');
    // Sign-in answers carry a token; the page must never see one.
    if (url.pathname.startsWith('/api/auth/'))
      return apiError(403, 'forbidden', 'sign in and out through the app');
    const hasBody =
      request.body !== undefined && request.method !== 'GET' && request.method !== 'DELETE';
    let response: Response;
    try {
      response = await this.options.fetch(url.href, {
        method: request.method,
        headers: {
          authorization: `Bearer ${session.token}`,
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
        },
        ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      return apiError(
        503,
        'unavailable',
        `cannot reach the server: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const body = await readBody(response);
    if (response.status === 401) await this.sessionEnded(session.user);
    return { status: response.status, body };
  }

  /**
   * A change from the window or the tray. What follows the person goes on to the server in the
   * background: a server that is away must not hold up the desk's own change.
   */
  async updateSettings(patch: DesktopSettingsPatch): Promise<DesktopSettings> {
    const before = this.settingsStore.settings;
    const settings = await this.applySettings(patch);
    void this.session?.user.personalSettingsChanged(before, settings);
    return settings;
  }

  private async applySettings(patch: DesktopSettingsPatch): Promise<DesktopSettings> {
    const settings = await this.settingsStore.update(patch);
    this.scheduleDoNotDisturbEnd();
    this.emitState();
    return settings;
  }

  /**
   * Do-not-disturb with an end time ends then, also while no window is open to end it — and at
   * once when the end passed before this desk heard of it (the desk was off, or the person's
   * settings came late), so that the flag is not left on for the person's other desks and pages.
   */
  private scheduleDoNotDisturbEnd(): void {
    this.doNotDisturbEnd?.cancel();
    this.doNotDisturbEnd = undefined;
    const settings = this.settingsStore.settings;
    const until = settings.doNotDisturbUntil;
    if (this.closed || !until || !settings.doNotDisturb) return;
    this.doNotDisturbEnd = this.clock.setTimeout(
      () => {
        this.doNotDisturbEnd = undefined;
        const now = new Date(this.clock.now());
        if (isDoNotDisturbOn(this.settingsStore.settings, now))
          return this.scheduleDoNotDisturbEnd();
        void this.updateSettings({ doNotDisturb: false, doNotDisturbUntil: null }).catch(
          (error: unknown) =>
            this.options.log?.('warn', `do-not-disturb did not end: ${String(error)}`),
        );
      },
      // Timers take at most 2^31 - 1 ms; a later end is looked at again when that one fires.
      Math.max(0, Math.min(Date.parse(until) - this.clock.now(), 2 ** 31 - 1)),
    );
  }

  async markAllRead(): Promise<void> {
    await this.session?.user.markAllRead();
  }

  /**
   * Acknowledges an alert as the signed-in user on this desk (a Windows toast's Acknowledge);
   * false when nobody is signed in or the server did not take it.
   */
  async acknowledge(alertId: number): Promise<boolean> {
    return (await this.session?.user.acknowledge(alertId)) ?? false;
  }

  /** What colleagues see this desk called in receipts. */
  async deskName(): Promise<string | null> {
    return (await this.deskIdentity())?.name ?? null;
  }

  /** Renames this desk (Settings); its receipts from now on, and then the sender's view, say so. */
  setDeskName(name: string): Promise<string> {
    return this.serially(async () => {
      const desk = await renameDeskIdentity(this.options.dataDirectory, name);
      this.desk = Promise.resolve(desk);
      this.session?.user.renameDesk(desk);
      this.options.log?.('info', 'the desk was renamed');
      return desk.name;
    });
  }

  setOpenConversation(conversationId: string | null): void {
    this.openConversationId = conversationId;
  }

  setWindowFocused(focused: boolean): void {
    this.windowFocused = focused;
  }

  /** After sleep: the socket may look open and be dead. */
  resumed(): void {
    this.session?.user.reconnectNow('the computer woke up');
  }

  /**
   * The OS screen lock came on or went off: the person is away from this desk, or back. Its
   * coming on locks the app as well, and the OS unlocking does not open it: a ward PC's OS
   * account is often shared, so the app waits for its own person's password (`unlock`).
   */
  screenLocked(locked: boolean): void {
    this.session?.user.screenLocked(locked);
    if (!locked || !this.session || this.locked) return;
    this.locked = true;
    this.options.log?.('info', 'locked with the OS screen');
    this.emitState();
  }

  /**
   * Opens the app again with the signed-in person's password, checked by the server. The
   * session and its stream go on as they were; the sign-in made only to check the password is
   * ended at once.
   */
  unlock(password: string): Promise<DesktopState> {
    return this.serially(async () => {
      const session = this.session;
      if (!session || !this.locked) return this.state();
      let response: Response;
      try {
        response = await this.options.fetch(
          new URL('/api/auth/login', session.info.serverUrl).href,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: session.info.user.username, password }),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          },
        );
      } catch (error) {
        throw new Error(
          `Cannot reach ${session.info.serverUrl}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const body = await readBody(response);
      if (response.status !== 200)
        throw new Error(
          errorMessage(body) ?? `Unlock failed (the server answered ${response.status}).`,
        );
      const check = body as LoginResponse;
      await this.options
        .fetch(new URL('/api/auth/logout', session.info.serverUrl).href, {
          method: 'POST',
          headers: { authorization: `Bearer ${check.token}` },
          signal: AbortSignal.timeout(5_000),
        })
        .then((answer) => answer.body?.cancel())
        .catch(() => undefined);
      if (this.session !== session) return this.state();
      this.locked = false;
      this.options.log?.('info', 'unlocked');
      this.emitState();
      return this.state();
    });
  }

  networkChanged(online: boolean): void {
    this.session?.user.setNetworkAvailable(online);
  }

  /**
   * Quit: shows what waits in the burst window and leaves the cursor on disk. Safe to call more
   * than once; every call resolves when the first is done, and nothing starts a session after it.
   */
  shutdown(): Promise<void> {
    if (this.closed) return this.lifecycle.then(() => undefined);
    this.closed = true;
    this.doNotDisturbEnd?.cancel();
    return this.serially(() => this.stopSession(), { evenWhenClosed: true });
  }

  private deskIdentity(): Promise<Desk | null> {
    this.desk ??= loadDeskIdentity(this.options.dataDirectory).catch((error: unknown) => {
      // Without a desk identity the app still notifies; it only reports no receipts.
      this.options.log?.('warn', `no desk identity, so no receipts: ${(error as Error).message}`);
      return null;
    });
    return this.desk;
  }

  private serially<T>(
    task: () => Promise<T>,
    { evenWhenClosed = false }: { evenWhenClosed?: boolean } = {},
  ): Promise<T> {
    const run = this.lifecycle.then(() => {
      if (this.closed && !evenWhenClosed) throw new Error('ClinicPulse is quitting');
      return task();
    });
    this.lifecycle = run.catch(() => undefined);
    return run;
  }

  private async startSession(info: DesktopSession, token: string): Promise<void> {
    const tuning = this.options.tuning ?? {};
    const holder: { user?: UserSession } = {};
    const isCurrent = () => !holder.user || this.session?.user === holder.user;
    const desk = await this.deskIdentity();
    const systemIdleMs = this.options.systemIdleMs;
    const user = await UserSession.start({
      ...(desk ? { desk } : {}),
      ...(desk && systemIdleMs ? { presence: { systemIdleMs, deskId: desk.id } } : {}),
      serverUrl: info.serverUrl,
      token,
      userId: info.user.id,
      dataDirectory: this.options.dataDirectory,
      fetch: this.options.fetch,
      sink: this.options.sink,
      clock: this.clock,
      platform: this.options.platform,
      environment: {
        settings: () => this.settingsStore.settings,
        windowFocused: () => this.windowFocused,
        openConversationId: () => this.openConversationId,
        osDoNotDisturb: () => this.options.osDoNotDisturb?.() ?? false,
      },
      onNotificationClick: (target) => this.emit('notificationClick', target),
      deskSettings: {
        current: () => this.settingsStore.settings,
        apply: async (patch) => {
          await this.applySettings(patch);
        },
      },
      ...(tuning.burst ? { burst: tuning.burst } : {}),
      ...(tuning.backoff ? { backoff: tuning.backoff } : {}),
      ...(tuning.heartbeatTimeoutMs ? { heartbeatTimeoutMs: tuning.heartbeatTimeoutMs } : {}),
      listener: {
        event: (event) => isCurrent() && this.emit('event', event),
        unreadCount: (count) => isCurrent() && this.emit('unreadCount', count),
        connectionState: (state) => {
          if (!isCurrent()) return;
          if (state.status === 'signed_out' && holder.user)
            void this.sessionEnded(holder.user, state.detail);
          else this.setConnection(state);
        },
        problem: (detail) => this.options.log?.('warn', detail),
        popupOutcome: (eventIds, outcome) => {
          // macOS drops pop-ups of an unsigned or unpermitted app without a trace on screen.
          if (outcome.state === 'failed')
            this.options.log?.(
              'warn',
              `the pop-up for event ${eventIds.join(', ')} was not shown: ${outcome.reason}`,
            );
        },
      },
    });
    holder.user = user;
    this.session = { info, token, user };
    this.setConnection(user.connection);
    this.emit('unreadCount', user.unreadCount);
  }

  private async stopSession(): Promise<void> {
    const ending = this.session;
    this.session = null;
    this.locked = false;
    await ending?.user.stop();
  }

  /** The server refused the token (expired, revoked): forget it and ask for a new sign-in. */
  private sessionEnded(ended: UserSession, detail: string | null = null): Promise<void> {
    return this.serially(() => this.endSession(ended, detail)).catch(() => undefined);
  }

  private async endSession(ended: UserSession, detail: string | null): Promise<void> {
    // A sign-in or sign-out queued before this one may already have replaced that session.
    if (this.session?.user !== ended) return;
    await this.stopSession();
    await this.sessionStore.clear();
    this.options.log?.('info', `the server ended the session${detail ? `: ${detail}` : ''}`);
    this.notice = SESSION_ENDED;
    this.setConnection({
      status: 'signed_out',
      nextRetryAt: null,
      detail: detail ?? SESSION_ENDED,
    });
    this.emit('unreadCount', 0);
    this.emitState();
  }

  private setConnection(state: ConnectionState): void {
    this.connection = state;
    this.emit('connectionState', state);
  }

  private emitState(): void {
    this.emit('stateChanged', this.state());
  }

  private emit<K extends keyof DesktopCoreListener>(
    name: K,
    ...args: Parameters<DesktopCoreListener[K]>
  ): void {
    for (const listener of this.listeners) {
      const handler = listener[name] as
        ((...values: Parameters<DesktopCoreListener[K]>) => void) | undefined;
      handler?.(...args);
    }
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length === 0) return null;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function errorMessage(body: unknown): string | undefined {
  const message = (body as Partial<ApiErrorBody> | null)?.error?.message;
  return typeof message === 'string' ? message : undefined;
}

function apiError(
  status: number,
  code: ApiErrorBody['error']['code'],
  message: string,
): BridgeApiResponse {
  return { status, body: { error: { code, message } } satisfies ApiErrorBody };
}
