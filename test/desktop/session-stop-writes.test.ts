import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PersonalSettings } from '../../common/api.js';
import type { DesktopSettings, DesktopSettingsPatch } from '../../common/desktop-bridge.js';
import type { ControlEvent, StreamEvent, StreamEventOf } from '../../common/events.js';
import { DesktopCore } from '../../main/core/desktop-core.js';
import { writeFileAtomic, type DurableWrite } from '../../main/cursor/atomic-file.js';
import { cursorPath } from '../../main/cursor/cursor-path.js';
import { RecordingNotificationSink } from '../../main/notify/recording-notification-sink.js';
import { SettingsStore } from '../../main/settings/settings-store.js';
import type { HttpFetch } from '../../main/stream/http-fetch.js';
import { message, systemNotice } from './support/events.js';
import { openDesk, waitUntil } from './support/desk.js';
import { keyringCipher } from './support/test-ciphers.js';

/**
 * Electron quits as soon as shutdown resolves, and a sign-out may be followed at once by a new
 * session on the same folder: whatever the session writes must be on disk by then, and nothing
 * may be written after. Answers the test holds back stand for a slow server; a write it holds
 * back, for a slow disk.
 */
const SERVER = 'http://127.0.0.1:9';
const USER = { id: 7, username: 'nurse.jones', displayName: 'Nurse Jones', role: 'nurse' };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function temporaryDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-stop-writes-'));
  // Plain on purpose: a file written after shutdown makes this fail (ENOTEMPTY).
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

const json = (body: unknown) =>
  new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });

/** The server as the session sees it: a stream the test feeds, answers it can hold back. */
function stubServer() {
  const encoder = new TextEncoder();
  const requested: string[] = [];
  const held = new Map<string, Promise<Response>>();
  let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  const fetch: HttpFetch = async (url) => {
    const path = new URL(url).pathname;
    requested.push(path);
    const answer = held.get(path);
    if (answer) return answer;
    if (path === '/api/events/stream') {
      const body = new ReadableStream<Uint8Array>({
        start: (controller) => {
          stream = controller;
          controller.enqueue(encoder.encode('retry: 100\n\n'));
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    }
    if (path === '/api/auth/login')
      return json({ token: 'desk-token', user: USER, expiresAt: '2099-01-01T00:00:00Z' });
    if (path === '/api/events/state') return json({ lastEventId: null, lastReadEventId: 0 });
    if (path === '/api/notifications/marks') return json({ marks: [] });
    return json({});
  };
  return {
    fetch,
    requested,
    /** The next answer to `path` waits until the test gives it. */
    hold(path: string): Deferred<Response> {
      const answer = deferred<Response>();
      held.set(path, answer.promise);
      return answer;
    },
    /** Frames in one chunk: the session is handed them together. */
    send(...frames: ({ id: number } | ControlEvent)[]): void {
      const text = frames
        .map((frame) =>
          'id' in frame
            ? `id: ${frame.id}\ndata: ${JSON.stringify(frame)}\n\n`
            : `event: ${frame.type}\ndata: ${JSON.stringify(frame)}\n\n`,
        )
        .join('');
      stream?.enqueue(encoder.encode(text));
    },
  };
}

/** The real atomic write, each one recorded as it begins and ends; `holdNext` stalls one. */
function recordedDisk() {
  const begun: string[] = [];
  let finished = 0;
  let gate: Deferred<void> | null = null;
  const write: DurableWrite = async (path, content) => {
    begun.push(basename(dirname(path)));
    const waiting = gate;
    gate = null;
    try {
      await waiting?.promise;
      await writeFileAtomic(path, content);
    } finally {
      finished += 1;
    }
  };
  return {
    write,
    begun,
    get finished() {
      return finished;
    },
    holdNext(): Deferred<void> {
      gate = deferred<void>();
      return gate;
    },
  };
}

async function startDesk(
  server: ReturnType<typeof stubServer>,
  disk: ReturnType<typeof recordedDisk>,
  dataDirectory = temporaryDirectory(),
) {
  const desk = await openDesk({
    serverUrl: SERVER,
    token: 'desk-token',
    userId: USER.id,
    dataDirectory,
    fetch: server.fetch,
    write: disk.write,
    desk: { id: 'desk-stop-writes-0001', name: 'Ward PC' },
  });
  cleanups.push(() => desk.session.stop());
  return desk;
}

/** The main process minus Electron, as main.ts builds it, signed in to the stub server. */
async function signedInCore(server: ReturnType<typeof stubServer>) {
  const dataDirectory = temporaryDirectory();
  const sink = new RecordingNotificationSink();
  const core = new DesktopCore({
    dataDirectory,
    fetch: server.fetch,
    sink,
    cipher: keyringCipher(),
    platform: 'linux',
    appConfig: { serverUrl: null, source: null },
    tuning: { burst: { quietMs: 30, maxWaitMs: 150 }, backoff: { initialMs: 50, maxMs: 400 } },
  });
  const events: (StreamEvent | ControlEvent)[] = [];
  core.subscribe({ event: (event) => events.push(event) });
  // Every change of the desk's settings, and when its write is done.
  const applied = vi.spyOn(
    core as unknown as { applySettings(patch: DesktopSettingsPatch): Promise<DesktopSettings> },
    'applySettings',
  );
  cleanups.push(() => core.shutdown());
  await core.init();
  await core.signIn({ serverUrl: SERVER, username: USER.username, password: 'password' });
  return { core, sink, events, applied, dataDirectory };
}

const PERSON: PersonalSettings = {
  previewLevel: 'sender_only',
  doNotDisturb: true,
  doNotDisturbUntil: null,
  quietHours: { enabled: false, start: '22:00', end: '07:00' },
  sound: true,
};

function settingsChanged(
  id: number,
  settings: PersonalSettings,
): StreamEventOf<'settings_changed'> {
  return { id, type: 'settings_changed', settings, timestamp: '2025-01-20T10:30:00Z' };
}

/** A JSON answer, and when the app has read it. */
function answerRead(body: unknown): { answer: Response; read: Promise<void> } {
  const read = deferred<void>();
  const answer = json(body);
  const parse = answer.json.bind(answer);
  Object.defineProperty(answer, 'json', {
    value: async () => {
      const value = await parse();
      read.resolve();
      return value;
    },
  });
  return { answer, read: read.promise };
}

/**
 * Gives the held answer to the person's settings and resolves once the app has done with it:
 * read, applied (only microtasks after the read), and any write of it on disk.
 */
async function answerSettingsLate(
  held: Deferred<Response>,
  applied: Awaited<ReturnType<typeof signedInCore>>['applied'],
  settings: PersonalSettings,
): Promise<void> {
  const { answer, read } = answerRead({ settings });
  held.resolve(answer);
  await read;
  await new Promise((resolve) => setTimeout(resolve, 0));
  await Promise.allSettled(applied.mock.results.map((result) => result.value as unknown));
}

function settingsOnDisk(dataDirectory: string): unknown {
  const file = join(dataDirectory, 'settings.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
  ]);
}

describe('stopping a session (sign-out, quit) and what it writes', () => {
  it('a read marker the server sends after stop resolved is not written', async () => {
    const server = stubServer();
    const state = server.hold('/api/events/state');
    const disk = recordedDisk();
    const desk = await startDesk(server, disk);
    await waitUntil(() => server.requested.includes('/api/events/state'), 'the state was asked');

    await desk.session.stop();
    const writtenByStop = disk.begun.length;
    expect(disk.finished).toBe(writtenByStop);

    state.resolve(json({ lastEventId: 12, lastReadEventId: 12 }));
    // The marks are asked for only once the marker's write, had one begun, is done.
    await waitUntil(() => server.requested.includes('/api/notifications/marks'), 'marks asked');
    expect(disk.begun).toHaveLength(writtenByStop);
  });

  it('"mark all read" answered after stop resolved writes nothing', async () => {
    const server = stubServer();
    const disk = recordedDisk();
    const desk = await startDesk(server, disk);
    await waitUntil(() => desk.session.connection.status === 'connected', 'connected');
    server.send(systemNotice(3));
    await waitUntil(() => desk.eventIds().includes(3), 'event 3 handled');
    const ack = server.hold('/api/events/ack');
    const marking = desk.session.markAllRead();
    await waitUntil(() => server.requested.includes('/api/events/ack'), 'the ack was sent');

    await desk.session.stop();
    const writtenByStop = disk.begun.length;
    expect(disk.finished).toBe(writtenByStop);

    ack.resolve(json({}));
    // Resolves after its own write, had it begun one.
    await marking;
    expect(disk.begun).toHaveLength(writtenByStop);
  });

  it('stop waits for a cursor write under way', async () => {
    const server = stubServer();
    server.hold('/api/notifications/marks');
    const disk = recordedDisk();
    const slowWrite = disk.holdNext();
    const desk = await startDesk(server, disk);
    server.hold('/api/events/state').resolve(json({ lastEventId: 12, lastReadEventId: 12 }));
    // The marker from the server is being written (held) as the person signs out.
    await waitUntil(() => disk.begun.length === 1, "the marker's write began");

    let stopped = false;
    const stopping = desk.session.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);

    slowWrite.resolve();
    await stopping;
    expect(disk.finished).toBe(disk.begun.length);
  });

  it('an answer that comes while stop is under way is not written either', async () => {
    const server = stubServer();
    const state = server.hold('/api/events/state');
    const report = server.hold('/api/alerts/receipts');
    const disk = recordedDisk();
    // A receipt left from an earlier run: stop waits for its report, which the test holds.
    const dataDirectory = temporaryDirectory();
    mkdirSync(join(dataDirectory, 'receipts'));
    writeFileSync(
      join(dataDirectory, 'receipts', `127.0.0.1_9-user-${USER.id}.json`),
      JSON.stringify([{ alertId: 1, state: 'shown' }]),
    );
    const desk = await startDesk(server, disk, dataDirectory);
    // Before the session's own stop in the clean-up, should an expectation fail.
    cleanups.push(() => report.resolve(json({ recorded: 1 })));
    await waitUntil(() => server.requested.includes('/api/alerts/receipts'), 'report sent');

    let stopped = false;
    const stopping = desk.session.stop().then(() => {
      stopped = true;
    });
    // Stop's own cursor write is done; it waits for the report now.
    await waitUntil(() => disk.finished === 1, "stop's cursor write is done");
    state.resolve(json({ lastEventId: 12, lastReadEventId: 12 }));
    await waitUntil(() => server.requested.includes('/api/notifications/marks'), 'marks asked');
    expect(disk.begun).toEqual(['cursors']);
    expect(stopped).toBe(false);

    report.resolve(json({ recorded: 1 }));
    await stopping;
    // The report went through: the pending receipts were written (emptied), and nothing after.
    expect(disk.begun).toEqual(['cursors', 'receipts']);
    expect(disk.finished).toBe(2);
  });

  it.each(['signOut', 'shutdown'] as const)(
    "%s while the server's read marker is on its way leaves the cursor as stopping wrote it",
    async (how) => {
      const server = stubServer();
      const state = server.hold('/api/events/state');
      const { core, dataDirectory } = await signedInCore(server);
      await waitUntil(() => server.requested.includes('/api/events/state'), 'the state was asked');

      await (how === 'signOut' ? core.signOut() : core.shutdown());
      const file = cursorPath(dataDirectory, SERVER, USER.id);
      const leftByStop = readFileSync(file, 'utf8');

      state.resolve(json({ lastEventId: 12, lastReadEventId: 12 }));
      // Asked for only once the marker's write, had one begun, is on disk.
      await waitUntil(() => server.requested.includes('/api/notifications/marks'), 'marks asked');
      expect(readFileSync(file, 'utf8')).toBe(leftByStop);
    },
  );

  it.each(['signOut', 'shutdown'] as const)(
    "the person's settings answered after %s resolved are not applied or written",
    async (how) => {
      const server = stubServer();
      const held = server.hold('/api/me/settings');
      const { core, applied, dataDirectory } = await signedInCore(server);
      await waitUntil(() => server.requested.includes('/api/me/settings'), 'settings were asked');

      await (how === 'signOut' ? core.signOut() : core.shutdown());
      const leftByStop = settingsOnDisk(dataDirectory);

      // The signed-out person's do-not-disturb, which the next person here must not inherit.
      await answerSettingsLate(held, applied, PERSON);
      expect(applied).not.toHaveBeenCalled();
      expect(settingsOnDisk(dataDirectory)).toEqual(leftByStop);
      expect(core.settings.doNotDisturb).toBe(false);
    },
  );

  it.each(['signOut', 'shutdown'] as const)(
    "%s does not wait for the person's settings; a change the stream brought before still holds the message after it",
    async (how) => {
      const server = stubServer();
      const held = server.hold('/api/me/settings');
      const { core, sink, events, applied, dataDirectory } = await signedInCore(server);
      // Before the core's shutdown in the clean-up, should an expectation fail.
      cleanups.push(() => held.resolve(json({ settings: null })));
      await waitUntil(() => core.state().connection.status === 'connected', 'connected');
      // Together: the replay is over, the person turns on do-not-disturb at another desk, a
      // message follows. Both wait for the person's settings, which the server does not send.
      server.send({ type: 'ready', lastEventId: 2 }, settingsChanged(1, PERSON), message(2));
      await waitUntil(() => events.some((event) => event.type === 'ready'), 'ready handled');

      const stopping = how === 'signOut' ? core.signOut() : core.shutdown();
      // The quit sequence gives up after 5 s.
      expect(await settlesWithin(stopping, 2_000)).toBe(true);
      expect(applied.mock.calls).toEqual([[{ doNotDisturb: true }]]);
      expect(settingsOnDisk(dataDirectory)).toMatchObject({ doNotDisturb: true });
      expect(sink.shown).toEqual([]);

      // What the server had before the change, answered only now.
      await answerSettingsLate(held, applied, { ...PERSON, doNotDisturb: false });
      expect(applied).toHaveBeenCalledTimes(1);
      expect(settingsOnDisk(dataDirectory)).toMatchObject({ doNotDisturb: true });
    },
  );

  it("stop waits for the person's settings being written as it begins", async () => {
    const server = stubServer();
    const held = server.hold('/api/me/settings');
    const write = SettingsStore.prototype.update;
    const slowWrite = deferred<void>();
    const update = vi
      .spyOn(SettingsStore.prototype, 'update')
      .mockImplementationOnce(async function (this: SettingsStore, patch) {
        await slowWrite.promise;
        return write.call(this, patch);
      });
    cleanups.push(() => update.mockRestore());
    const { core, dataDirectory } = await signedInCore(server);
    held.resolve(json({ settings: PERSON }));
    await waitUntil(
      () => update.mock.calls.length === 1,
      "the person's settings are being written",
    );

    let stopped = false;
    const stopping = core.signOut().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);

    slowWrite.resolve();
    await stopping;
    expect(settingsOnDisk(dataDirectory)).toMatchObject({ doNotDisturb: true });
  });
});
