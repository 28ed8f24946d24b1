import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionIndicator } from '../../renderer/src/components/ConnectionIndicator.js';
import { BridgeEventFeed } from '../../renderer/src/events/bridge-event-feed.js';
import { EventHub } from '../../renderer/src/events/event-hub.js';
import { EventsProvider } from '../../renderer/src/events/EventsProvider.js';
import { FakeDesktopBridge } from './support/fake-desktop-bridge.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('the connection indicator', () => {
  it('says what the connection is doing, with a countdown to the next try', async () => {
    vi.useFakeTimers({ now: 100_000 });
    const bridge = new FakeDesktopBridge();
    render(
      <EventsProvider
        hub={new EventHub(new BridgeEventFeed(bridge), { historyBeforeFirstReady: false })}
      >
        <ConnectionIndicator />
      </EventsProvider>,
    );
    await act(async () => {
      await Promise.resolve();
    });
    const indicator = screen.getByTestId('connection-indicator');
    expect(indicator.dataset.status).toBe('connected');
    expect(indicator.textContent).toContain('Connected');

    act(() =>
      bridge.setConnection({
        status: 'reconnecting',
        nextRetryAt: 103_000,
        detail: 'The clinic server cannot be reached.',
      }),
    );
    expect(indicator.dataset.status).toBe('reconnecting');
    expect(indicator.textContent).toContain('Reconnecting in 3 s');
    expect(screen.getByRole('status').textContent).toBe(
      'Connection lost, reconnecting. The clinic server cannot be reached.',
    );
    act(() => vi.advanceTimersByTime(1_000));
    expect(indicator.textContent).toContain('Reconnecting in 2 s');

    act(() => bridge.setConnection({ status: 'offline', nextRetryAt: null, detail: null }));
    expect(indicator.textContent).toContain('Offline');
    act(() => bridge.setConnection({ status: 'signed_out', nextRetryAt: null, detail: null }));
    expect(indicator.textContent).toContain('Signed out');
  });
});
