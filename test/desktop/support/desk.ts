import type {
  ConnectionState,
  DesktopSettings,
  NotificationTarget,
} from '../../../common/desktop-bridge.js';
import { DEFAULT_DESKTOP_SETTINGS } from '../../../common/desktop-bridge.js';
import type { Desk as DeskIdentity } from '../../../common/alerts.js';
import type { ControlEvent, StreamEvent } from '../../../common/events.js';
import { systemClock } from '../../../main/clock.js';
import { UserSession } from '../../../main/core/user-session.js';
import type { DurableWrite } from '../../../main/cursor/atomic-file.js';
import type { BurstOptions } from '../../../main/notify/burst-coalescer.js';
import { RecordingNotificationSink } from '../../../main/notify/recording-notification-sink.js';
import type { BackoffOptions } from '../../../main/stream/backoff.js';
import type { HttpFetch } from '../../../main/stream/http-fetch.js';

/** What one run of the desktop app saw: pop-ups, renderer events, connection states, badge. */
export interface Desk {
  session: UserSession;
  sink: RecordingNotificationSink;
  events: (StreamEvent | ControlEvent)[];
  states: ConnectionState[];
  unreadCounts: number[];
  clicks: NotificationTarget[];
  problems: string[];
  /** The `Last-Event-ID` each stream request carried (null: none). */
  streamRequests: (string | null)[];
  settings: DesktopSettings;
  /** Ids of numbered events handed to the renderer, in order. */
  eventIds(): number[];
}

/** A UserSession as the app runs it, with a recording sink and short timings for tests. */
export async function openDesk(options: {
  serverUrl: string;
  token: string;
  userId: number;
  dataDirectory: string;
  fetch?: HttpFetch;
  heartbeatTimeoutMs?: number;
  /** The backoff while streams fail (50–400 ms unless given) and its jitter (Math.random). */
  backoff?: BackoffOptions;
  random?: () => number;
  /** The OS's idle time as the test sets it: with it, the desk reports presence. */
  presence?: { systemIdleMs(): number; deskId: string; checkEveryMs?: number };
  /** This installation's desk identity: with one, the session reports receipts. */
  desk?: DeskIdentity;
  /** The burst window; short by default, so tests need not wait for the app's own. */
  burst?: BurstOptions;
  /** How the cursor and pending receipts are written (to count or fail writes). */
  write?: DurableWrite;
}): Promise<Desk> {
  const sink = new RecordingNotificationSink();
  const events: Desk['events'] = [];
  const states: ConnectionState[] = [];
  const unreadCounts: number[] = [];
  const clicks: NotificationTarget[] = [];
  const problems: string[] = [];
  const streamRequests: (string | null)[] = [];
  const underlying = options.fetch ?? ((url, init) => fetch(url, init));
  const settings: DesktopSettings = { ...DEFAULT_DESKTOP_SETTINGS };
  const session = await UserSession.start({
    serverUrl: options.serverUrl,
    token: options.token,
    userId: options.userId,
    dataDirectory: options.dataDirectory,
    fetch: (url, init) => {
      if (url.includes('/api/events/stream'))
        streamRequests.push(new Headers(init.headers).get('last-event-id'));
      return underlying(url, init);
    },
    sink,
    clock: systemClock,
    platform: 'linux',
    environment: {
      settings: () => settings,
      windowFocused: () => false,
      openConversationId: () => null,
      osDoNotDisturb: () => false,
    },
    onNotificationClick: (target) => clicks.push(target),
    burst: options.burst ?? { quietMs: 30, maxWaitMs: 150 },
    ...(options.write ? { write: options.write } : {}),
    backoff: options.backoff ?? { initialMs: 50, maxMs: 400 },
    ...(options.random ? { random: options.random } : {}),
    ...(options.presence ? { presence: options.presence } : {}),
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 5_000,
    ...(options.desk ? { desk: options.desk, receiptFlushMs: 50 } : {}),
    listener: {
      event: (event) => events.push(event),
      connectionState: (state) => states.push(state),
      unreadCount: (count) => unreadCounts.push(count),
      problem: (detail) => problems.push(detail),
    },
  });
  return {
    session,
    sink,
    events,
    states,
    unreadCounts,
    clicks,
    problems,
    streamRequests,
    settings,
    eventIds: () => events.flatMap((event) => ('id' in event ? [event.id] : [])),
  };
}

export async function waitUntil(
  condition: () => boolean,
  description: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
