/**
 * The desk of the desktop-burst benchmark (bench/desktop-burst.ts), a process of its own so that
 * its CPU time is the main process's path alone: the real `UserSession` of main/ (stream client
 * → cursor → notifier → badge → receipts) with the recording notification sink in place of the
 * OS's, as test/desktop runs it, but with the app's own timings (burst window, receipt batches).
 *
 * Over IPC: `prime` signs the desk in once and stops it (caught up, then away); `return` starts
 * it again over the same data directory and measures until every event of the burst was handled,
 * covered by a pop-up and its receipt taken by the server, then replies with a `DeskBurstResult`.
 */
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { DEFAULT_DESKTOP_SETTINGS } from '../common/desktop-bridge.js';
import { systemClock } from '../main/clock.js';
import { UserSession, type UserSessionOptions } from '../main/core/user-session.js';
import { writeFileAtomic } from '../main/cursor/atomic-file.js';
import { cursorPath } from '../main/cursor/cursor-path.js';
import { RecordingNotificationSink } from '../main/notify/recording-notification-sink.js';

export interface DeskBurstRequest {
  serverUrl: string;
  token: string;
  userId: number;
  dataDirectory: string;
  /** Events the server holds for the desk when it returns. */
  events: number;
  /**
   * Notified ids the desk remembers from before (older than the burst): 0 for a desk new to
   * this user, MAX_REMEMBERED_IDS for one in daily use.
   */
  rememberedIds: number;
  /** Where to write a V8 CPU profile of the measured window, if anywhere. */
  profileFile?: string;
}

export type DeskCommand = { command: 'prime' } | { command: 'return' };

export interface DeskBurstResult {
  /** User + system CPU of the desk process from the start of the session to the last outcome. */
  cpuMs: number;
  /** Wall time to the last event handed on (the replay), and to the last outcome. */
  replayMs: number;
  doneMs: number;
  eventsHandled: number;
  cursorWrites: number;
  receiptFileWrites: number;
  popups: number;
  summaries: number;
  /** Event ids covered by a pop-up more than once (must be 0). */
  duplicatePopups: number;
  /** How often the badge number was handed to the app (tray, dock, taskbar overlay, renderer). */
  badgeUpdates: number;
  finalUnread: number;
  receiptsReported: number;
  receiptReports: number;
}

export type DeskReply =
  | { ok: true; phase: 'away' }
  | { ok: true; phase: 'measured'; result: DeskBurstResult }
  | { ok: false; error: string };

const TIME_LIMIT_MS = 120_000;

function countingWrites() {
  const counts = { cursor: 0, receipts: 0 };
  const write = (path: string, content: string) => {
    if (path.includes('/cursors/')) counts.cursor += 1;
    else if (path.includes('/receipts/')) counts.receipts += 1;
    return writeFileAtomic(path, content);
  };
  return { counts, write };
}

async function openSession(request: DeskBurstRequest, observe: Observed) {
  const { counts, write } = countingWrites();
  const options: UserSessionOptions = {
    serverUrl: request.serverUrl,
    token: request.token,
    userId: request.userId,
    dataDirectory: request.dataDirectory,
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      if (url.endsWith('/api/alerts/receipts') && response.ok && typeof init.body === 'string') {
        observe.receiptReports += 1;
        observe.receiptsReported += (
          JSON.parse(init.body) as { receipts: unknown[] }
        ).receipts.length;
      }
      return response;
    },
    sink: observe.sink,
    clock: systemClock,
    platform: 'linux',
    environment: {
      settings: () => DEFAULT_DESKTOP_SETTINGS,
      windowFocused: () => false,
      openConversationId: () => null,
      osDoNotDisturb: () => false,
    },
    onNotificationClick: () => undefined,
    desk: { id: 'bench-desk-0001', name: 'Bench desk' },
    write,
    listener: {
      event: (event) => {
        if (event.type === 'ready') observe.ready = true;
        else if ('id' in event && event.type === 'new_message') {
          observe.eventsHandled += 1;
          observe.lastEventAt = performance.now();
        }
      },
      connectionState: () => undefined,
      unreadCount: (count) => {
        observe.badgeUpdates += 1;
        observe.unread = count;
      },
      problem: (detail) => process.stderr.write(`  [desk] ${detail}\n`),
    },
  };
  const session = await UserSession.start(options);
  return { session, counts };
}

interface Observed {
  sink: RecordingNotificationSink;
  ready: boolean;
  eventsHandled: number;
  lastEventAt: number;
  badgeUpdates: number;
  unread: number;
  receiptsReported: number;
  receiptReports: number;
}

function observed(): Observed {
  return {
    sink: new RecordingNotificationSink(),
    ready: false,
    eventsHandled: 0,
    lastEventAt: 0,
    badgeUpdates: 0,
    unread: 0,
    receiptsReported: 0,
    receiptReports: 0,
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + TIME_LIMIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`the desk never got to: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function prime(request: DeskBurstRequest): Promise<void> {
  const observe = observed();
  const { session } = await openSession(request, observe);
  await until(() => observe.ready, 'ready at the first sign-in');
  await session.stop();
  if (request.rememberedIds > 0) await rememberOlderIds(request);
}

/**
 * A desk in daily use remembers the ids of the pop-ups of its last days. Written into the
 * cursor file as the app itself writes it (version 1), so that every version of main/ reads it.
 */
async function rememberOlderIds(request: DeskBurstRequest): Promise<void> {
  const path = cursorPath(request.dataDirectory, request.serverUrl, request.userId);
  const cursor = JSON.parse(await readFile(path, 'utf8')) as {
    lastEventId: number | null;
    notifiedIds: number[];
  };
  const below = cursor.lastEventId ?? Date.now() * 1000;
  cursor.notifiedIds = Array.from(
    { length: request.rememberedIds },
    (_, i) => below - (request.rememberedIds - i) * 1000,
  );
  await writeFileAtomic(path, JSON.stringify(cursor));
}

function startProfiler(file: string | undefined): (() => void) | null {
  if (!file) return null;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 100 });
  session.post('Profiler.start');
  return () =>
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
      session.disconnect();
    });
}

async function measureReturn(request: DeskBurstRequest): Promise<DeskBurstResult> {
  const observe = observed();
  const stopProfiler = startProfiler(request.profileFile);
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const { session, counts } = await openSession(request, observe);
  const covered = () => new Set(observe.sink.eventIds()).size;
  await until(
    () =>
      observe.eventsHandled >= request.events &&
      covered() >= request.events &&
      observe.receiptsReported >= request.events,
    `${request.events} events handled, popped up and their receipts reported`,
  );
  const doneAt = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  stopProfiler?.();
  const shownIds = observe.sink.eventIds();
  const result: DeskBurstResult = {
    cpuMs: (cpu.user + cpu.system) / 1000,
    replayMs: observe.lastEventAt - startedAt,
    doneMs: doneAt - startedAt,
    eventsHandled: observe.eventsHandled,
    cursorWrites: counts.cursor,
    receiptFileWrites: counts.receipts,
    popups: observe.sink.shown.length,
    summaries: observe.sink.shown.filter((popup) => popup.kind === 'summary').length,
    duplicatePopups: shownIds.length - new Set(shownIds).size,
    badgeUpdates: observe.badgeUpdates,
    finalUnread: observe.unread,
    receiptsReported: observe.receiptsReported,
    receiptReports: observe.receiptReports,
  };
  await session.stop();
  return result;
}

let request: DeskBurstRequest | undefined;
process.on('message', (message: DeskBurstRequest | DeskCommand) => {
  const reply = (value: DeskReply) => process.send?.(value);
  const fail = (error: unknown) => {
    reply({
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.disconnect?.();
  };
  if (!('command' in message)) {
    request = message;
    return;
  }
  if (!request) return fail(new Error('no request before the command'));
  const current = request;
  if (message.command === 'prime')
    prime(current).then(() => reply({ ok: true, phase: 'away' }), fail);
  else
    measureReturn(current).then((result) => {
      reply({ ok: true, phase: 'measured', result });
      process.disconnect?.();
    }, fail);
});
