import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OriginalPublisher, pythonTimeNow } from '../support/original-publisher.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, DEMO_PASSWORD, login, spawnServerProcess, type ServerProcess } from '../support/test-server.js';
import { launchChromium } from './support/chromium.js';
import {
  connectionAttempts,
  mountOriginalUseEvents,
  recordedCalls,
  rerenderOriginalUseEvents,
  type RecordedCall,
} from './support/original-use-events.js';

/**
 * The original system's frontend hook, in Debian's Chromium, against the real server (a child
 * process) and Redis, with events published both by ClinicPulse and by the original backend's
 * exact Redis commands. What a user of the original frontend would notice: each of its three
 * callbacks called once per event, live, replayed, and across the reconnects the hook and the
 * browser make after the server ends a stream.
 */
let redis: TestRedis;
let server: ServerProcess;
let browser: Browser;
let original: OriginalPublisher;
let admin: Redis;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  server = await spawnServerProcess({ redisUrl: redis.url });
  browser = await launchChromium();
  original = new OriginalPublisher(redis.url);
  admin = new Redis(redis.url);
});
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});
afterAll(async () => {
  admin?.disconnect();
  original?.close();
  await browser?.close();
  await server?.stop();
  await redis?.stop();
});

/** A page at the server's origin, signed in through it as the original frontend signs in. */
async function signedInPage(username: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${server.url}/healthz`);
  const status = await page.evaluate(
    async ({ username, password }) => {
      const response = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      const body = (await response.json()) as { user: { id: number } };
      (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem('user', JSON.stringify({ id: String(body.user.id) }));
      return response.status;
    },
    { username, password: DEMO_PASSWORD },
  );
  expect(status).toBe(200);
  return page;
}

/** One of each type, through ClinicPulse (its test endpoints) and the original publisher. */
async function publishOneOfEach(user: { id: number; token: string }, label: string): Promise<void> {
  const client = api(server.url, user.token);
  for (const [path, body] of [
    ['/api/test/new-message', { text: `${label}: ClinicPulse message` }],
    ['/api/test/appointment-reminder', { content: `${label}: ClinicPulse reminder` }],
    ['/api/test/system-notification', { content: `${label}: ClinicPulse notice` }],
  ] as const) {
    expect((await client.post(path, body)).status).toBe(200);
  }
  await original.publishEventWithBuffer(user.id, { type: 'new_message', conversation_id: 'c-1', sender: 'Flask', text: `${label}: original message`, timestamp: pythonTimeNow() });
  await original.publishEventWithBuffer(user.id, { type: 'appointment_reminder', appointmentId: 'a-1', time: '2025-01-20T14:00:00Z', content: `${label}: original reminder`, timestamp: pythonTimeNow() });
  await original.publishEventWithBuffer(user.id, { type: 'system_notification', content: `${label}: original notice`, timestamp: pythonTimeNow() });
}

const labelOf = (call: RecordedCall) => String(call.data.text ?? call.data.content);
const callbackFor: Record<string, RecordedCall['callback']> = {
  new_message: 'onNewMessage',
  appointment_reminder: 'onAppointmentReminder',
  system_notification: 'onSystemNotification',
};

/** The labels a batch of publishOneOfEach() leaves. */
const batch = (label: string) =>
  ['ClinicPulse message', 'ClinicPulse reminder', 'ClinicPulse notice', 'original message', 'original reminder', 'original notice'].map((what) => `${label}: ${what}`);

/** Every call went to the callback of its event's type and carried a ClinicPulse id. */
function expectWellFormed(calls: RecordedCall[]): void {
  for (const call of calls) {
    expect(call.callback).toBe(callbackFor[call.data.type]);
    expect(Number.isSafeInteger(call.data.id)).toBe(true);
  }
}

/** Ends the server's streams as a Redis subscriber drop does: the server closes them itself. */
async function serverEndsTheStreams(): Promise<void> {
  await admin.client('KILL', 'TYPE', 'pubsub');
}

describe('the original frontend’s useEvents hook', () => {
  it('EventSource + onmessage: every callback once per event, live, replayed, after the server ends the stream, and after a re-render', async () => {
    const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
    const user = { id: smith.user.id, token: smith.token };
    await publishOneOfEach(user, 'before');
    const page = await signedInPage('dr.smith');
    await mountOriginalUseEvents(page, 'eventsource');

    // The hour before it connected: replayed, the original backend's events included.
    await expect.poll(async () => (await recordedCalls(page)).map(labelOf)).toEqual(batch('before'));
    await publishOneOfEach(user, 'live');
    await expect.poll(async () => (await recordedCalls(page)).map(labelOf)).toEqual([...batch('before'), ...batch('live')]);

    // The server ends the stream; events arrive meanwhile. The browser reconnects by itself
    // (Last-Event-ID), and 5 s after the error the hook closes that and opens its own (?since=).
    await serverEndsTheStreams();
    await publishOneOfEach(user, 'away');
    await expect.poll(() => connectionAttempts(page), { timeout: 20_000 }).toBe(2);
    await publishOneOfEach(user, 'back');
    const expected = [...batch('before'), ...batch('live'), ...batch('away'), ...batch('back')];
    await expect.poll(async () => (await recordedCalls(page)).map(labelOf)).toEqual(expected);

    // A re-render closes the connection and opens another from the last timestamp.
    await rerenderOriginalUseEvents(page);
    await publishOneOfEach(user, 'rendered');
    await expect.poll(async () => (await recordedCalls(page)).map(labelOf)).toEqual([...expected, ...batch('rendered')]);

    const calls = await recordedCalls(page);
    expectWellFormed(calls);
    const ids = calls.map((call) => call.data.id!);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('streaming fetch: reconnects after the server ends the stream, and every event published since reaches its callback once', async () => {
    const jones = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
    const user = { id: jones.user.id, token: jones.token };
    await publishOneOfEach(user, 'before');
    const page = await signedInPage('nurse.jones');
    await mountOriginalUseEvents(page, 'fetch');
    await expect.poll(async () => (await recordedCalls(page)).map(labelOf)).toEqual(batch('before'));
    await publishOneOfEach(user, 'live');
    await expect.poll(async () => (await recordedCalls(page)).map(labelOf)).toEqual([...batch('before'), ...batch('live')]);

    // A clean end of the body would read as `done`, and this hook would never come back.
    await serverEndsTheStreams();
    await publishOneOfEach(user, 'away');
    await expect.poll(() => connectionAttempts(page), { timeout: 20_000 }).toBe(2);
    await publishOneOfEach(user, 'back');
    // This hook never sets its timestamp, so it asks for the whole hour again (`?since=`): the
    // events before the drop come twice, by its own doing. Everything after it comes once.
    const earlier = [...batch('before'), ...batch('live')];
    await expect.poll(async () => (await recordedCalls(page)).map(labelOf)).toEqual([...earlier, ...earlier, ...batch('away'), ...batch('back')]);
    expectWellFormed(await recordedCalls(page));
  });
});

describe('a frontend served from another origin (the original’s development setup)', () => {
  it('opens the stream and calls the API with the session cookie only when its origin is in CORS_ORIGINS', async () => {
    // The page on one port, the API on another, both `localhost`: the same site, another origin.
    const page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>frontend</title>'));
    page.listen(0, '127.0.0.1');
    await once(page, 'listening');
    const pageOrigin = `http://localhost:${(page.address() as AddressInfo).port}`;
    const allowing = await spawnServerProcess({ redisUrl: redis.url, env: { CORS_ORIGINS: pageOrigin } });
    try {
      const tab = await (async () => {
        const context = await browser.newContext();
        contexts.push(context);
        const opened = await context.newPage();
        await opened.goto(`${pageOrigin}/`);
        return opened;
      })();
      const api = (server: ServerProcess) => `http://localhost:${server.port}`;

      /** Signs in from the page, opens an EventSource and a streaming fetch with credentials, and reports what each got. */
      const tryFromPage = (apiUrl: string) =>
        tab.evaluate(async (apiUrl) => {
          const login = await fetch(`${apiUrl}/api/auth/login`, {
            method: 'POST',
            credentials: 'include',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'frontdesk.lee', password: 'clinicpulse' }),
          }).then((response) => response.status, (error: unknown) => String(error));
          const viaEventSource = await new Promise<string>((resolve) => {
            const source = new EventSource(`${apiUrl}/api/events/stream`, { withCredentials: true });
            source.addEventListener('ready', () => resolve('ready'));
            source.onerror = () => resolve('error');
            setTimeout(() => resolve('timeout'), 10_000);
          });
          const viaFetch = await fetch(`${apiUrl}/api/events/stream`, {
            credentials: 'include',
            headers: { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' },
          }).then(
            async (response) => {
              const reader = response.body!.getReader();
              let text = '';
              while (!text.includes('event: ready')) text += new TextDecoder().decode((await reader.read()).value);
              await reader.cancel();
              return `${response.status} ready`;
            },
            (error: unknown) => String(error),
          );
          return { login, viaEventSource, viaFetch };
        }, apiUrl);

      expect(await tryFromPage(api(allowing))).toEqual({ login: 200, viaEventSource: 'ready', viaFetch: '200 ready' });
      // The server of the other tests lists no origin: the browser lets the page read nothing.
      expect(await tryFromPage(api(server))).toEqual({ login: expect.stringMatching(/TypeError/), viaEventSource: 'error', viaFetch: expect.stringMatching(/TypeError/) });
    } finally {
      await allowing.stop();
      await new Promise((resolve) => page.close(resolve));
    }
  });
});
