import { act, cleanup, render, screen } from '@testing-library/react';
import { useLayoutEffect } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from '../../common/desktop-bridge.js';
import { BridgeEventFeed } from '../../renderer/src/events/bridge-event-feed.js';
import {
  BrowserEventFeed,
  type SessionCheck,
} from '../../renderer/src/events/browser-event-feed.js';
import { EventHub } from '../../renderer/src/events/event-hub.js';
import { EventsProvider } from '../../renderer/src/events/EventsProvider.js';
import { useEvents, type UseEventsOptions } from '../../renderer/src/events/useEvents.js';
import { FakeDesktopBridge } from './support/fake-desktop-bridge.js';
import { FakeEventSource } from './support/fake-event-source.js';
import {
  conversationRead,
  messageSent,
  newMessage,
  notificationsRead,
  reminder,
  systemNotice,
} from './support/frames.js';

function Probe({ name, options }: { name: string; options: UseEventsOptions }) {
  const { connection } = useEvents(options);
  return <p data-testid={`status-${name}`}>{connection.status}</p>;
}

function browserHub(
  checkSession: () => Promise<SessionCheck> = async () => 'signed_in',
  online = () => true,
  probe: () => Promise<boolean> = async () => true,
) {
  const feed = new BrowserEventFeed({
    url: '/api/events/stream',
    EventSource: FakeEventSource,
    checkSession,
    probe,
    isOnline: online,
    random: () => 1,
  });
  return new EventHub(feed, { historyBeforeFirstReady: true });
}

function recorder() {
  return {
    onNewMessage: vi.fn(),
    onAppointmentReminder: vi.fn(),
    onSystemNotification: vi.fn(),
    onNotificationsRead: vi.fn(),
    onConversationRead: vi.fn(),
    onMessageSent: vi.fn(),
    onEvent: vi.fn(),
    onResync: vi.fn(),
    onReady: vi.fn(),
    onConnectionChange: vi.fn<(state: ConnectionState) => void>(),
  };
}

/** One component listening through a browser event feed: its callbacks, and the fake EventSource behind it. */
function listenWithOneProbe() {
  const callbacks = recorder();
  render(
    <EventsProvider hub={browserHub()}>
      <Probe name="a" options={callbacks} />
    </EventsProvider>,
  );
  return { callbacks, source: FakeEventSource.latest() };
}

beforeEach(() => FakeEventSource.reset());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('useEvents over the browser EventSource', () => {
  it('opens one EventSource for the page, with credentials, and calls the original callbacks by type', () => {
    const hub = browserHub();
    const first = recorder();
    const second = recorder();
    render(
      <EventsProvider hub={hub}>
        <Probe name="a" options={first} />
        <Probe name="b" options={second} />
      </EventsProvider>,
    );

    expect(FakeEventSource.instances).toHaveLength(1);
    const source = FakeEventSource.latest();
    expect(source.url).toBe('/api/events/stream');
    expect(source.init).toEqual({ withCredentials: true });

    act(() => {
      source.open();
      source.send('new_message', newMessage(11));
      source.send('appointment_reminder', reminder(12));
      source.send('system_notification', systemNotice(13));
      source.send('notifications_read', notificationsRead(14, 13));
    });

    for (const callbacks of [first, second]) {
      expect(callbacks.onNewMessage).toHaveBeenCalledOnce();
      expect(callbacks.onNewMessage.mock.calls[0]?.[0]).toMatchObject({
        id: 11,
        conversation_id: '7',
        text: 'message 11',
      });
      expect(callbacks.onAppointmentReminder.mock.calls[0]?.[0]).toMatchObject({
        id: 12,
        appointmentId: '456',
      });
      expect(callbacks.onSystemNotification.mock.calls[0]?.[0]).toMatchObject({ id: 13 });
      expect(callbacks.onNotificationsRead.mock.calls[0]?.[0]).toMatchObject({ lastEventId: 13 });
    }
    expect(screen.getByTestId('status-a').textContent).toBe('connected');
  });

  it("calls the own-desk callbacks for the user's reads and sends, once each", () => {
    const { callbacks, source } = listenWithOneProbe();
    act(() => {
      source.open();
      source.send('conversation_read', conversationRead(15, '7', '3'));
      source.send('message_sent', messageSent(16, { client_message_id: 'c0ffee00c0ffee00' }));
      source.send('message_sent', messageSent(16, { client_message_id: 'c0ffee00c0ffee00' }));
    });
    expect(callbacks.onConversationRead.mock.calls.map(([event]) => event)).toEqual([
      conversationRead(15, '7', '3'),
    ]);
    expect(callbacks.onMessageSent.mock.calls.map(([event]) => event)).toEqual([
      messageSent(16, { client_message_id: 'c0ffee00c0ffee00' }),
    ]);
    expect(callbacks.onEvent.mock.calls.map(([event]) => event.type)).toEqual([
      'conversation_read',
      'message_sent',
    ]);
    expect(callbacks.onNewMessage).not.toHaveBeenCalled();
    expect(callbacks.onNotificationsRead).not.toHaveBeenCalled();
  });

  it('applies an event once when it arrives twice', () => {
    const { callbacks, source } = listenWithOneProbe();
    act(() => {
      source.open();
      source.send('new_message', newMessage(21));
      source.send('new_message', newMessage(21));
      source.send('new_message', newMessage(22));
      source.send('new_message', newMessage(21));
    });
    expect(callbacks.onNewMessage.mock.calls.map(([event]) => event.id)).toEqual([21, 22]);
  });

  it('ignores frames that do not match the wire protocol', () => {
    const { callbacks, source } = listenWithOneProbe();
    act(() => {
      source.open();
      source.send('new_message', '{not json');
      source.send('new_message', { ...newMessage(31), id: -1 });
      source.send('new_message', { type: 'new_message', id: 32 });
      // Control frames are named: an unnamed frame whose data says `resync` is no resync.
      source.send('message', { type: 'resync', reason: 'unknown_id', lastEventId: 0 });
      source.send('system_notification', { ...systemNotice(34), content: 42 });
      source.send('new_message', newMessage(35));
    });
    expect(callbacks.onNewMessage.mock.calls.map(([event]) => event.id)).toEqual([35]);
    expect(callbacks.onSystemNotification).not.toHaveBeenCalled();
    expect(callbacks.onResync).not.toHaveBeenCalled();
  });

  it('marks events replayed before the first `ready` as history, and later ones as live', () => {
    const { callbacks, source } = listenWithOneProbe();
    act(() => {
      source.open();
      source.send('system_notification', systemNotice(41));
      source.send('ready', { type: 'ready', lastEventId: 41 });
      source.send('system_notification', systemNotice(42));
    });
    expect(
      callbacks.onSystemNotification.mock.calls.map(([event, meta]) => [
        event.id,
        meta.fromHistory,
      ]),
    ).toEqual([
      [41, true],
      [42, false],
    ]);
    expect(callbacks.onReady).toHaveBeenCalledWith({ type: 'ready', lastEventId: 41 });
  });

  it('reconnects after a failure from the last id it saw, saying when the next try is', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    // The server answers; only the stream broke.
    const hub = browserHub(async () => 'signed_in');
    const callbacks = recorder();
    render(
      <EventsProvider hub={hub}>
        <Probe name="a" options={callbacks} />
      </EventsProvider>,
    );
    const first = FakeEventSource.latest();
    act(() => {
      first.open();
      first.send('new_message', newMessage(51));
      first.send('new_message', newMessage(52));
    });

    await act(async () => {
      first.fail();
      await Promise.resolve();
    });
    expect(first.readyState).toBe(FakeEventSource.CLOSED);
    const reconnecting = callbacks.onConnectionChange.mock.calls.at(-1)?.[0];
    // First retry after 1 s (random() = 1 takes the top of the jittered range).
    expect(reconnecting).toMatchObject({ status: 'reconnecting', nextRetryAt: 1_000_000 + 1_000 });
    expect(screen.getByTestId('status-a').textContent).toBe('reconnecting');
    expect(FakeEventSource.instances).toHaveLength(1);

    act(() => vi.advanceTimersByTime(1_000));
    expect(FakeEventSource.instances).toHaveLength(2);
    const second = FakeEventSource.latest();
    expect(second.url).toBe('/api/events/stream?lastEventId=52');

    act(() => {
      second.open();
      // The server replays what came after 52; a repeat of 52 would not be applied again.
      second.send('new_message', newMessage(52));
      second.send('new_message', newMessage(53));
    });
    expect(callbacks.onNewMessage.mock.calls.map(([event]) => event.id)).toEqual([51, 52, 53]);
    expect(screen.getByTestId('status-a').textContent).toBe('connected');
  });

  it('backs off further after each failed stream while the server answers', async () => {
    vi.useFakeTimers({ now: 0 });
    const hub = browserHub(async () => 'signed_in');
    const callbacks = recorder();
    render(
      <EventsProvider hub={hub}>
        <Probe name="a" options={callbacks} />
      </EventsProvider>,
    );
    const delays: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      await act(async () => {
        FakeEventSource.latest().fail(FakeEventSource.CLOSED);
        await Promise.resolve();
      });
      const state = callbacks.onConnectionChange.mock.calls.at(-1)?.[0];
      delays.push((state?.nextRetryAt ?? 0) - Date.now());
      act(() => vi.advanceTimersByTime(delays.at(-1) ?? 0));
    }
    expect(delays).toEqual([1_000, 2_000, 4_000]);
  });

  it('reconnects within 2 s of the server coming back after a 20 s outage, probing /healthz meanwhile', async () => {
    vi.useFakeTimers({ now: 0 });
    let serverUp = true;
    let probes = 0;
    const hub = browserHub(
      async () => (serverUp ? 'signed_in' : 'unreachable'),
      () => true,
      async () => {
        probes++;
        return serverUp;
      },
    );
    render(
      <EventsProvider hub={hub}>
        <Probe name="a" options={{}} />
      </EventsProvider>,
    );
    act(() => FakeEventSource.latest().open());

    serverUp = false;
    const outageEnds = 20_000;
    // While the server is down, every stream the page opens is refused at once.
    const failNewSources = async () => {
      const source = FakeEventSource.latest();
      if (source.readyState === FakeEventSource.CONNECTING) {
        await act(async () => source.fail(FakeEventSource.CLOSED));
      }
    };
    await act(async () => FakeEventSource.latest().fail());
    while (Date.now() < outageEnds) {
      await act(async () => vi.advanceTimersByTimeAsync(100));
      await failNewSources();
    }
    const streamsDuringOutage = FakeEventSource.instances.length;
    expect(streamsDuringOutage).toBeLessThanOrEqual(2);
    expect(probes).toBeGreaterThan(10);

    serverUp = true;
    let reopenedAt: number | null = null;
    while (reopenedAt === null && Date.now() < outageEnds + 10_000) {
      await act(async () => vi.advanceTimersByTimeAsync(50));
      const source = FakeEventSource.latest();
      if (FakeEventSource.instances.length > streamsDuringOutage) {
        act(() => source.open());
        reopenedAt = Date.now();
      }
    }
    expect(reopenedAt).not.toBeNull();
    expect((reopenedAt ?? Infinity) - outageEnds).toBeLessThanOrEqual(2_000);
    expect(screen.getByTestId('status-a').textContent).toBe('connected');
  });

  it('stops and says "signed out" when the stream fails because the session ended', async () => {
    const hub = browserHub(async () => 'signed_out');
    const callbacks = recorder();
    render(
      <EventsProvider hub={hub}>
        <Probe name="a" options={callbacks} />
      </EventsProvider>,
    );
    await act(async () => {
      FakeEventSource.latest().fail(FakeEventSource.CLOSED);
      await Promise.resolve();
    });
    expect(screen.getByTestId('status-a').textContent).toBe('signed_out');
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('says "offline" without the network, and reconnects at once when it returns', async () => {
    let online = true;
    const hub = browserHub(
      async () => 'unreachable',
      () => online,
    );
    const callbacks = recorder();
    render(
      <EventsProvider hub={hub}>
        <Probe name="a" options={callbacks} />
      </EventsProvider>,
    );
    FakeEventSource.latest().open();
    online = false;
    act(() => {
      window.dispatchEvent(new Event('offline'));
    });
    expect(screen.getByTestId('status-a').textContent).toBe('offline');
    expect(FakeEventSource.instances[0]?.readyState).toBe(FakeEventSource.CLOSED);

    online = true;
    act(() => {
      window.dispatchEvent(new Event('online'));
    });
    expect(FakeEventSource.instances).toHaveLength(2);
    act(() => FakeEventSource.latest().open());
    expect(screen.getByTestId('status-a').textContent).toBe('connected');
  });

  it('on `resync` asks for a reload and resumes from the position the server gave', async () => {
    vi.useFakeTimers({ now: 0 });
    const hub = browserHub(async () => 'signed_in');
    const callbacks = recorder();
    render(
      <EventsProvider hub={hub}>
        <Probe name="a" options={callbacks} />
      </EventsProvider>,
    );
    const first = FakeEventSource.latest();
    act(() => {
      first.open();
      first.send('new_message', newMessage(900));
      // The server never handed out 900 (it lost its data): it moves this client to 60.
      first.send('resync', { type: 'resync', reason: 'unknown_id', lastEventId: 60 });
      first.send('new_message', newMessage(61));
    });
    expect(callbacks.onResync).toHaveBeenCalledWith({
      type: 'resync',
      reason: 'unknown_id',
      lastEventId: 60,
    });
    expect(callbacks.onNewMessage.mock.calls.map(([event]) => event.id)).toEqual([900, 61]);

    await act(async () => {
      first.fail();
      await Promise.resolve();
    });
    act(() => vi.advanceTimersByTime(1_000));
    expect(FakeEventSource.latest().url).toBe('/api/events/stream?lastEventId=61');
  });

  it('closes the EventSource when the provider unmounts', () => {
    const hub = browserHub();
    const view = render(
      <EventsProvider hub={hub}>
        <Probe name="a" options={{}} />
      </EventsProvider>,
    );
    view.unmount();
    expect(FakeEventSource.latest().readyState).toBe(FakeEventSource.CLOSED);
  });
});

describe('useEvents over the desktop bridge', () => {
  it('takes events and the connection state from the main process, checked and deduplicated', async () => {
    const bridge = new FakeDesktopBridge();
    bridge.connection = { status: 'reconnecting', nextRetryAt: 5_000, detail: 'server restarting' };
    const hub = new EventHub(new BridgeEventFeed(bridge), { historyBeforeFirstReady: false });
    const callbacks = recorder();
    render(
      <EventsProvider hub={hub}>
        <Probe name="a" options={callbacks} />
      </EventsProvider>,
    );
    await act(async () => {
      await Promise.resolve();
    });
    expect(screen.getByTestId('status-a').textContent).toBe('reconnecting');
    expect(bridge.eventListenerCount).toBe(1);

    act(() => {
      bridge.setConnection({ status: 'connected', nextRetryAt: null, detail: null });
      bridge.emit(newMessage(71));
      bridge.emit(newMessage(71));
      bridge.emit({ type: 'new_message', id: 72 });
      bridge.emit('<script>');
      bridge.emit(systemNotice(73));
    });
    expect(screen.getByTestId('status-a').textContent).toBe('connected');
    expect(
      callbacks.onNewMessage.mock.calls.map(([event, meta]) => [event.id, meta.fromHistory]),
    ).toEqual([[71, false]]);
    expect(callbacks.onSystemNotification).toHaveBeenCalledOnce();
  });

  it('tells a component of a connection change that came before its subscription', async () => {
    const bridge = new FakeDesktopBridge();
    bridge.connection = { status: 'connected', nextRetryAt: null, detail: null };
    const hub = new EventHub(new BridgeEventFeed(bridge), { historyBeforeFirstReady: false });
    const callbacks = recorder();
    const dropped: ConnectionState = { status: 'reconnecting', nextRetryAt: null, detail: 'down' };
    // Layout effects run before any passive effect of the same commit: the drop lands after
    // the probe rendered "connected" and before it subscribed, as when a page mounts mid-drop.
    function DropsTheConnection() {
      useLayoutEffect(() => bridge.setConnection(dropped), []);
      return null;
    }
    const { rerender } = render(<EventsProvider hub={hub}>{null}</EventsProvider>);
    await act(async () => {
      await Promise.resolve();
    });
    rerender(
      <EventsProvider hub={hub}>
        <Probe name="a" options={callbacks} />
        <DropsTheConnection />
      </EventsProvider>,
    );
    expect(callbacks.onConnectionChange.mock.calls).toEqual([[dropped]]);
    expect(screen.getByTestId('status-a').textContent).toBe('reconnecting');
  });
});
