import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../common/desktop-bridge.js';
import type { ControlEvent, StreamEvent } from '../../common/events.js';
import { StreamClient } from '../../main/stream/stream-client.js';
import { waitUntil } from './support/desk.js';
import { ManualClock } from './support/manual-clock.js';
import { frame, notice, sseHead, startScriptedSseServer } from './support/scripted-sse-server.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(
  serverUrl: string,
  options: { lastEventId?: number | null; clock?: ManualClock; heartbeatTimeoutMs?: number } = {},
) {
  const received: (StreamEvent | ControlEvent)[] = [];
  const states: ConnectionState[] = [];
  const problems: string[] = [];
  const stream = new StreamClient({
    serverUrl,
    token: 'secret-token',
    fetch: (url, init) => fetch(url, init),
    lastEventId: options.lastEventId ?? null,
    ...(options.clock ? { clock: options.clock } : {}),
    random: () => 1,
    backoff: { initialMs: 100, maxMs: 800 },
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 60_000,
    handlers: {
      onEvents: (events) => void received.push(...events),
      onControl: (control) => void received.push(control),
      onState: (state) => void states.push(state),
      onProtocolError: (detail) => void problems.push(detail),
    },
  });
  cleanups.push(() => stream.stop());
  return { stream, received, states, problems };
}

describe('stream client connection handling', () => {
  it('sends the bearer token and its own last id; treats a silent connection as dead and reconnects from the last id', async () => {
    const server = await startScriptedSseServer([
      (res) => {
        sseHead(res);
        res.write(frame(7, 'system_notification', notice(7)));
        // …and then nothing: no pings, no end. A real socket that only looks open.
      },
      (res) => {
        sseHead(res);
        res.write(frame(8, 'system_notification', notice(8)));
        res.write(frame(null, 'ready', { type: 'ready', lastEventId: 8 }));
      },
    ]);
    cleanups.push(() => server.close());
    const { stream, received, states } = client(server.url, {
      lastEventId: 6,
      heartbeatTimeoutMs: 300,
    });
    stream.start();
    await waitUntil(() => received.length === 3, 'both connections delivered');
    expect(received.map((event) => event.type)).toEqual([
      'system_notification',
      'system_notification',
      'ready',
    ]);
    expect(
      server.requests.map((req) => [req.headers.authorization, req.headers['last-event-id']]),
    ).toEqual([
      ['Bearer secret-token', '6'],
      ['Bearer secret-token', '7'],
    ]);
    expect(states.find((state) => state.status === 'reconnecting')?.detail).toMatch(/no heartbeat/);
    expect(stream.lastEventId).toBe(8);
  });

  it('a server that accepts the connection but never answers also times out', async () => {
    const server = await startScriptedSseServer([() => undefined, (res) => sseHead(res)]);
    cleanups.push(() => server.close());
    const { stream, states } = client(server.url, { heartbeatTimeoutMs: 300 });
    stream.start();
    await waitUntil(() => server.requests.length === 2, 'a second attempt');
    expect(states.find((state) => state.status === 'reconnecting')?.detail).toMatch(
      /did not answer/,
    );
  });

  it('backs off with growing delays while the server fails, and resets after a good connection', async () => {
    const clock = new ManualClock(0);
    const unavailable = (res: ServerResponse) =>
      res.writeHead(503, { 'content-type': 'application/json' }).end('{}');
    const server = await startScriptedSseServer([
      unavailable,
      unavailable,
      unavailable,
      (res) => {
        sseHead(res);
        res.end(frame(null, 'ready', { type: 'ready', lastEventId: 0 }));
      },
      unavailable,
    ]);
    cleanups.push(() => server.close());
    const { stream, states } = client(server.url, { clock });
    stream.start();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      // A stream that ended without a status is first checked with /healthz: the retry time
      // comes once the server answered it.
      await waitUntil(
        () =>
          server.requests.length === attempt &&
          states.at(-1)?.status === 'reconnecting' &&
          states.at(-1)?.nextRetryAt !== null,
        `attempt ${attempt} failed`,
      );
      const retryAt = states.at(-1)?.nextRetryAt ?? 0;
      delays.push(retryAt - clock.now());
      clock.advance(retryAt - clock.now());
    }
    // 100, 200, 400 while failing; the good connection (it reached `ready`) resets to 100.
    expect(delays).toEqual([100, 200, 400, 100, 200]);
    expect(
      states.filter((state) => state.status === 'reconnecting').map((state) => state.detail),
    ).toContain('the server answered 503');
  });

  it('while the server is away probes /healthz at most 1.5 s apart however long it lasts, and reopens the stream on the first answer', async () => {
    const clock = new ManualClock(0);
    let healthy = true;
    const server = await startScriptedSseServer(
      [
        (res) => {
          sseHead(res);
          res.write(frame(1, 'system_notification', notice(1)));
          res.write(frame(null, 'ready', { type: 'ready', lastEventId: 1 }));
          // The server goes away: the connection drops and /healthz goes unanswered.
          healthy = false;
          setTimeout(() => res.destroy(), 50);
        },
        (res) => {
          sseHead(res);
          res.write(frame(null, 'ready', { type: 'ready', lastEventId: 1 }));
        },
      ],
      { healthy: () => healthy },
    );
    cleanups.push(() => server.close());
    const { stream, received, states } = client(server.url, { clock });
    stream.start();
    await waitUntil(() => received.length === 2, 'the first connection delivered');
    await waitUntil(() => server.probes.length === 1, 'a probe as soon as the stream dropped');

    // The next probe is planned once the client has seen this one fail, which on a loaded
    // machine comes well after the server dropped it: the clock moves only past a planned probe.
    const nextProbePlanned = (after: number) =>
      waitUntil(() => clock.pendingTimers === 1, `the probe after probe ${after} planned`);

    // A minute away: a backoff would have grown; the probes stay frequent and the stream shut.
    for (let probe = 2; probe <= 40; probe++) {
      await nextProbePlanned(probe - 1);
      clock.advance(1_500);
      await waitUntil(() => server.probes.length === probe, `probe ${probe}`);
    }
    expect(server.requests).toHaveLength(1);
    expect(states.at(-1)).toMatchObject({ status: 'reconnecting', nextRetryAt: null });

    await nextProbePlanned(40);
    healthy = true;
    clock.advance(1_500);
    await waitUntil(() => stream.state.status === 'connected', 'back on the stream');
    expect(server.requests.map((req) => req.headers['last-event-id'])).toEqual([undefined, '1']);
  });

  it('stops for good on 403 and says why', async () => {
    const server = await startScriptedSseServer([
      (res) => res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":{}}'),
    ]);
    cleanups.push(() => server.close());
    const clock = new ManualClock(0);
    const { stream, states } = client(server.url, { clock });
    stream.start();
    await waitUntil(() => states.at(-1)?.status === 'signed_out', 'signed out');
    clock.advance(60_000);
    expect(server.requests).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reconnects at once on resume and when the network comes back, from the last id', async () => {
    const clock = new ManualClock(0);
    const server = await startScriptedSseServer([
      (res) => {
        sseHead(res);
        res.write(frame(1, 'system_notification', notice(1)));
      },
      (res) => {
        sseHead(res);
        res.write(frame(2, 'system_notification', notice(2)));
        res.end();
      },
      (res) => sseHead(res),
    ]);
    cleanups.push(() => server.close());
    const { stream, received, states } = client(server.url, { clock });
    stream.start();
    await waitUntil(() => received.length === 1, 'the first event');

    // After sleep the socket may look open and be dead: resume replaces it without waiting.
    stream.reconnectNow('the computer woke up');
    await waitUntil(() => received.length === 2, 'the event after resume');
    await waitUntil(
      () => states.at(-1)?.status === 'reconnecting' && states.at(-1)?.nextRetryAt !== null,
      'the server hung up',
    );

    stream.setNetworkAvailable(false);
    expect(states.at(-1)?.status).toBe('offline');
    stream.setNetworkAvailable(true);
    await waitUntil(
      () => server.requests.length === 3,
      'a connection as soon as the network is back',
    );
    expect(server.requests.map((req) => req.headers['last-event-id'])).toEqual([
      undefined,
      '1',
      '2',
    ]);
  });

  it('drops a repeated id, skips an unreadable frame and a frame whose id disagrees with its data', async () => {
    const server = await startScriptedSseServer([
      (res) => {
        sseHead(res);
        res.write(frame(5, 'system_notification', notice(5)));
        res.write(frame(5, 'system_notification', notice(5)));
        res.write(frame(4, 'system_notification', notice(4)));
        res.write(frame(6, 'system_notification', { id: 6, type: 'system_notification' }));
        res.write(frame(8, 'system_notification', notice(7)));
        res.write(
          frame(9, 'new_message', {
            id: 9,
            type: 'new_message',
            conversation_id: '1',
            sender: 'A',
            text: 'hi',
            timestamp: 't',
          }),
        );
        res.write(
          frame(null, 'resync', { type: 'resync', reason: 'history_expired', lastEventId: 20 }),
        );
        res.write(frame(null, 'ready', { type: 'ready', lastEventId: 20 }));
      },
    ]);
    cleanups.push(() => server.close());
    const { stream, received, problems } = client(server.url);
    stream.start();
    await waitUntil(() => received.some((event) => event.type === 'ready'), 'ready');
    expect(received.map((event) => ('id' in event ? event.id : event.type))).toEqual([
      5,
      9,
      'resync',
      'ready',
    ]);
    expect(problems).toHaveLength(2);
    expect(stream.lastEventId).toBe(20);
  });

  it("a replaced connection's late bytes do not hold off the new connection's heartbeat deadline", async () => {
    const clock = new ManualClock();
    const encoder = new TextEncoder();
    const bodies: ReadableStreamDefaultController<Uint8Array>[] = [];
    const fetchStub = async () => {
      const body = new ReadableStream<Uint8Array>({
        start: (controller) => {
          bodies.push(controller);
          controller.enqueue(encoder.encode('retry: 100\n\n'));
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    };
    const states: ConnectionState[] = [];
    const stream = new StreamClient({
      serverUrl: 'http://127.0.0.1:9',
      token: 'secret-token',
      fetch: fetchStub,
      lastEventId: null,
      clock,
      random: () => 1,
      backoff: { initialMs: 100, maxMs: 800 },
      heartbeatTimeoutMs: 1_000,
      handlers: {
        onEvents: () => undefined,
        onControl: () => undefined,
        onState: (state) => void states.push(state),
      },
    });
    cleanups.push(() => stream.stop());
    stream.start();
    await waitUntil(() => stream.state.status === 'connected', 'the first connection is open');
    stream.reconnectNow('the computer woke up');
    await waitUntil(
      () => bodies.length === 2 && stream.state.status === 'connected',
      'reconnected',
    );
    // The old socket still had bytes on their way when it was replaced (its abort not yet felt).
    const old = bodies[0]!;
    old.enqueue(encoder.encode(': ping\n\n'));
    await waitUntil(() => old.desiredSize === 1, 'the late bytes were read');
    // The new connection stays silent: its deadline must still fire.
    clock.advance(1_000);
    expect(states.at(-1)).toMatchObject({
      status: 'reconnecting',
      detail: expect.stringContaining('no heartbeat'),
    });
  });
});

describe('stream client hand-over', () => {
  it('events that arrive together are handed over together, in order, split by control frames', async () => {
    const server = await startScriptedSseServer([
      (res) => {
        sseHead(res);
        let replay = '';
        for (let id = 1; id <= 40; id++) replay += frame(id, 'system_notification', notice(id));
        replay += frame(null, 'ready', { type: 'ready', lastEventId: 40 });
        for (let id = 41; id <= 50; id++) replay += frame(id, 'system_notification', notice(id));
        res.write(replay);
      },
    ]);
    cleanups.push(() => server.close());
    const calls: (number[] | string)[] = [];
    const stream = new StreamClient({
      serverUrl: server.url,
      token: 'secret-token',
      fetch: (url, init) => fetch(url, init),
      lastEventId: null,
      handlers: {
        onEvents: (events) => void calls.push(events.map((event) => event.id)),
        onControl: (control) => void calls.push(control.type),
        onState: () => undefined,
      },
    });
    cleanups.push(() => stream.stop());
    stream.start();
    await waitUntil(() => calls.flat().length === 51, 'every frame was handed over');
    const ready = calls.indexOf('ready');
    expect(calls.slice(0, ready).flat()).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(calls.slice(ready + 1).flat()).toEqual(Array.from({ length: 10 }, (_, i) => i + 41));
    // One write of the server's: one call per run of events, not one per event.
    expect(calls.length).toBeLessThanOrEqual(5);
  });
});
