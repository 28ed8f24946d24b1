import type { User } from '../../../common/api.js';
import {
  DEFAULT_DESKTOP_SETTINGS,
  type BridgeApiRequest,
  type BridgeApiResponse,
  type ConnectionState,
  type DesktopBridge,
  type DesktopSettings,
  type DesktopState,
  type NotificationTarget,
  type SignInRequest,
} from '../../../common/desktop-bridge.js';

type Listener<T> = (value: T) => void;
export type RouteHandler = (
  request: BridgeApiRequest,
) => BridgeApiResponse | Promise<BridgeApiResponse>;

export const ME: User = {
  id: 1,
  username: 'dr.smith',
  displayName: 'Dr. Sarah Smith',
  role: 'clinician',
};
export const PATEL: User = {
  id: 2,
  username: 'dr.patel',
  displayName: 'Dr. Raj Patel',
  role: 'clinician',
};

/**
 * The preload bridge as the desktop main process would expose it — the process boundary the
 * renderer is written against. REST answers come from per-route handlers the test supplies;
 * every request is recorded.
 */
export class FakeDesktopBridge implements DesktopBridge {
  readonly requests: BridgeApiRequest[] = [];
  readonly openConversations: (string | null)[] = [];
  markAllReadCalls = 0;
  private readonly routes = new Map<string, RouteHandler>();
  private readonly eventListeners = new Set<Listener<unknown>>();
  private readonly connectionListeners = new Set<Listener<ConnectionState>>();
  private readonly clickListeners = new Set<Listener<NotificationTarget>>();
  private readonly stateListeners = new Set<Listener<DesktopState>>();
  settings: DesktopSettings = DEFAULT_DESKTOP_SETTINGS;
  connection: ConnectionState = { status: 'connected', nextRetryAt: null, detail: null };

  constructor(private user: User | null = ME) {
    this.on('GET /api/events/state', () => ({
      status: 200,
      body: { lastEventId: null, lastReadEventId: 0 },
    }));
    this.on('GET /api/users', () => ({ status: 200, body: { users: [ME, PATEL] } }));
  }

  /** `key` is "METHOD /path" (query string included when the request has one). */
  on(key: string, handler: RouteHandler): this {
    this.routes.set(key, handler);
    return this;
  }

  requestsTo(key: string): BridgeApiRequest[] {
    return this.requests.filter((request) => `${request.method} ${request.path}` === key);
  }

  async getState(): Promise<DesktopState> {
    return {
      session: this.user ? { serverUrl: 'http://clinic.test', user: this.user } : null,
      serverUrl: 'http://clinic.test',
      connection: this.connection,
      settings: this.settings,
      unreadCount: 0,
      notice: null,
      locked: this.locked,
    };
  }

  /** Whether the app is locked, as the main process says after the OS screen lock. */
  locked = false;
  readonly unlockPasswords: string[] = [];

  /** powerMonitor's 'lock-screen', as the main process passes it on. */
  async lockWithScreen(): Promise<void> {
    this.locked = true;
    await this.pushState();
  }

  /** The main process checks the password with the server; here only `clinicpulse` is right. */
  async unlock(password: string): Promise<DesktopState> {
    this.unlockPasswords.push(password);
    if (password !== 'clinicpulse') throw new Error('username or password is incorrect');
    this.locked = false;
    await this.pushState();
    return this.getState();
  }

  readonly signIns: SignInRequest[] = [];
  /** What the main process does with a sign-in; by default it succeeds as Dr. Smith. */
  signInHandler: (request: SignInRequest) => Promise<void> = async () => undefined;

  async signIn(request: SignInRequest): Promise<DesktopState> {
    this.signIns.push(request);
    await this.signInHandler(request);
    this.user = ME;
    return this.getState();
  }

  async signOut(): Promise<DesktopState> {
    this.user = null;
    return this.getState();
  }

  async request(request: BridgeApiRequest): Promise<BridgeApiResponse> {
    this.requests.push(request);
    const handler = this.routes.get(`${request.method} ${request.path}`);
    if (!handler)
      return {
        status: 404,
        body: { error: { code: 'not_found', message: `no route ${request.path}` } },
      };
    return handler(request);
  }

  async updateSettings(patch: Partial<DesktopSettings>): Promise<DesktopSettings> {
    this.settings = { ...this.settings, ...patch };
    await this.pushState();
    return this.settings;
  }

  /** The main process changed its settings itself: the tray, the person's other desks. */
  async changeSettingsInMain(patch: Partial<DesktopSettings>): Promise<void> {
    this.settings = { ...this.settings, ...patch };
    await this.pushState();
  }

  onState(listener: Listener<DesktopState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private async pushState(): Promise<void> {
    const state = await this.getState();
    for (const listener of this.stateListeners) listener(state);
  }

  setOpenConversation(conversationId: string | null): void {
    this.openConversations.push(conversationId);
  }

  async markAllRead(): Promise<void> {
    this.markAllReadCalls++;
  }

  deskName: string | null = 'NURSES-STATION-PC';

  async getDeskName(): Promise<string | null> {
    return this.deskName;
  }

  async setDeskName(name: string): Promise<string> {
    this.deskName = name;
    return name;
  }

  onEvent(listener: Listener<never>): () => void {
    const wrapped = listener as Listener<unknown>;
    this.eventListeners.add(wrapped);
    return () => this.eventListeners.delete(wrapped);
  }

  onConnectionState(listener: Listener<ConnectionState>): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  onUnreadCount(): () => void {
    return () => undefined;
  }

  onNotificationClick(listener: Listener<NotificationTarget>): () => void {
    this.clickListeners.add(listener);
    return () => this.clickListeners.delete(listener);
  }

  /** The main process forwarding a frame (anything: the renderer must check it). */
  emit(frame: unknown): void {
    for (const listener of this.eventListeners) listener(frame);
  }

  /** The person clicked one of the main process's native pop-ups. */
  clickNotification(target: NotificationTarget): void {
    for (const listener of this.clickListeners) listener(target);
  }

  setConnection(state: ConnectionState): void {
    this.connection = state;
    for (const listener of this.connectionListeners) listener(state);
  }

  get eventListenerCount(): number {
    return this.eventListeners.size;
  }
}

export function json(body: unknown, status = 200): BridgeApiResponse {
  return { status, body };
}
