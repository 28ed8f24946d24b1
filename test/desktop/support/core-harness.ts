import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionState, DesktopState } from '../../../common/desktop-bridge.js';
import type { ControlEvent, StreamEvent } from '../../../common/events.js';
import type { Clock } from '../../../main/clock.js';
import { DesktopCore } from '../../../main/core/desktop-core.js';
import { RecordingNotificationSink } from '../../../main/notify/recording-notification-sink.js';
import { api, login } from '../../support/test-server.js';
import { keyringCipher } from './test-ciphers.js';

export interface RunningCore {
  core: DesktopCore;
  sink: RecordingNotificationSink;
  events: (StreamEvent | ControlEvent)[];
  states: ConnectionState[];
  changes: DesktopState[];
}

/**
 * The desktop app's main process minus Electron, as main.ts builds it, recording what it would
 * show; `cleanups` receives what the test must undo.
 */
export async function startCore(options: {
  dir: string;
  cleanups: (() => unknown)[];
  clock?: Clock;
}): Promise<RunningCore> {
  const sink = new RecordingNotificationSink();
  const running: RunningCore = { core: null as never, sink, events: [], states: [], changes: [] };
  const core = new DesktopCore({
    dataDirectory: options.dir,
    fetch: (url, init) => fetch(url, init),
    sink,
    cipher: keyringCipher(),
    platform: 'linux',
    appConfig: { serverUrl: null, source: null },
    ...(options.clock ? { clock: options.clock } : {}),
    tuning: { burst: { quietMs: 30, maxWaitMs: 150 }, backoff: { initialMs: 50, maxMs: 400 } },
  });
  core.subscribe({
    event: (event) => running.events.push(event),
    connectionState: (state) => running.states.push(state),
    stateChanged: (state) => running.changes.push(state),
  });
  options.cleanups.push(() => core.shutdown());
  await core.init();
  running.core = core;
  return running;
}

export function temporaryDirectory(cleanups: (() => unknown)[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-core-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let made = 0;

/** A new account of its own for one test, signed in over the API. */
export async function newColleague(serverUrl: string, name: string) {
  const admin = await login(serverUrl, 'admin', 'clinicpulse');
  const username = `${name.toLowerCase().replace(/[^a-z]/g, '')}.${process.pid}.${++made}`;
  const password = 'a long enough password';
  const created = await api(serverUrl, admin.token).post('/api/admin/users', {
    username,
    displayName: name,
    role: 'nurse',
    password,
  });
  if (created.status !== 201) throw new Error(`could not create ${username}: ${created.status}`);
  const signedIn = await login(serverUrl, username, password);
  return { ...signedIn, username, password };
}
