import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeDesktopBridge, json } from './support/fake-desktop-bridge.js';
import { renderApp } from './support/render-app.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('the outage banner', () => {
  it('appears once the connection has been down a few seconds, says since when, and goes when it is back', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(new Date(2025, 0, 20, 10, 32, 0));
    const bridge = new FakeDesktopBridge().on('GET /api/conversations', () =>
      json({ conversations: [] }),
    );
    renderApp(bridge, '#/conversations');
    await screen.findByRole('heading', { name: 'Messages' });

    act(() =>
      bridge.setConnection({ status: 'reconnecting', nextRetryAt: null, detail: 'server down' }),
    );
    act(() => vi.advanceTimersByTime(3_000));
    expect(screen.queryByTestId('outage-banner')).toBeNull();

    act(() => vi.advanceTimersByTime(3_000));
    const banner = await screen.findByTestId('outage-banner');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toMatch(/No connection to the clinic server since 10:32/);
    expect(banner.textContent).toMatch(/cannot arrive until it is back/);

    act(() => bridge.setConnection({ status: 'connected', nextRetryAt: null, detail: null }));
    expect(screen.queryByTestId('outage-banner')).toBeNull();
  });
});
