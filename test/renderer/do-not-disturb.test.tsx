import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_DESKTOP_SETTINGS } from '../../common/desktop-bridge.js';
import { interruptionsAt } from '../../common/do-not-disturb.js';
import { FakeDesktopBridge, json } from './support/fake-desktop-bridge.js';
import { renderApp } from './support/render-app.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function desk(settings: Partial<typeof DEFAULT_DESKTOP_SETTINGS>) {
  const bridge = new FakeDesktopBridge().on('GET /api/conversations', () =>
    json({ conversations: [] }),
  );
  bridge.settings = { ...DEFAULT_DESKTOP_SETTINGS, ...settings };
  return bridge;
}

describe('the do-not-disturb indicator', () => {
  it('shows in the top bar with the time do-not-disturb ends, and goes when it ends', async () => {
    vi.useFakeTimers({
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
      shouldAdvanceTime: true,
    });
    vi.setSystemTime(new Date(2025, 0, 20, 13, 0, 0));
    const bridge = desk({
      doNotDisturb: true,
      doNotDisturbUntil: new Date(2025, 0, 20, 14, 0, 0).toISOString(),
    });
    renderApp(bridge, '#/conversations');
    const indicator = await screen.findByTestId('dnd-indicator');
    expect(indicator.textContent).toMatch(
      /^Do not disturb until 0?2:00|^Do not disturb until 14:00/,
    );
    expect(indicator.getAttribute('href')).toBe('#/settings');

    await act(async () => vi.advanceTimersByTimeAsync(60 * 60_000 + 1_000));
    expect(screen.queryByTestId('dnd-indicator')).toBeNull();
    // The main process turns it off for real (test/desktop/desk-settings-follow.test.ts); the
    // page shows what it then pushes.
    await act(() => bridge.changeSettingsInMain({ doNotDisturb: false, doNotDisturbUntil: null }));
    expect(screen.queryByTestId('dnd-indicator')).toBeNull();
  });

  it('says "until you turn it off" without an end time, and shows quiet hours with theirs', async () => {
    renderApp(desk({ doNotDisturb: true }), '#/conversations');
    expect((await screen.findByTestId('dnd-indicator')).textContent).toBe(
      'Do not disturb (until you turn it off)',
    );
    cleanup();
    renderApp(
      desk({ quietHours: { enabled: true, start: '00:00', end: '23:59' } }),
      '#/conversations',
    );
    expect((await screen.findByTestId('dnd-indicator')).textContent).toBe(
      'Quiet hours until 23:59',
    );
  });

  it('is absent while nothing holds pop-ups back', async () => {
    renderApp(desk({}), '#/conversations');
    await screen.findByRole('heading', { name: 'Messages' });
    expect(screen.queryByTestId('dnd-indicator')).toBeNull();
  });
});

describe('what holds pop-ups back', () => {
  it('do-not-disturb holds them until its end time only', () => {
    const settings = {
      ...DEFAULT_DESKTOP_SETTINGS,
      doNotDisturb: true,
      doNotDisturbUntil: '2025-01-20T14:00:00Z',
    };
    expect(interruptionsAt(settings, new Date('2025-01-20T13:59:00Z')).kind).toBe('do_not_disturb');
    expect(interruptionsAt(settings, new Date('2025-01-20T14:00:00Z')).kind).toBe('open');
  });
});
