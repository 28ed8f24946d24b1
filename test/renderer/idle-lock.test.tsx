import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLayoutEffect } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../renderer/src/App.js';
import { SessionContext } from '../../renderer/src/app/session-context.js';
import { EventsProvider } from '../../renderer/src/events/EventsProvider.js';
import { IdleLock } from '../../renderer/src/lock/IdleLock.js';
import { setAutoLockMinutes } from '../../renderer/src/lock/auto-lock-storage.js';
import { createDesktopPlatform } from '../../renderer/src/platform/desktop-platform.js';
import type { Platform } from '../../renderer/src/platform/platform.js';
import { SendQueueProvider } from '../../renderer/src/send-queue/SendQueueProvider.js';
import { FakeDesktopBridge, json, ME } from './support/fake-desktop-bridge.js';
import { renderApp } from './support/render-app.js';

afterEach(() => {
  cleanup();
  localStorage.clear();
  vi.useRealTimers();
});

/**
 * The browser platform with the fake bridge behind it: the idle lock is the browser's, and the
 * bridge stands in for the server it signs in against.
 */
function browserLike(bridge: FakeDesktopBridge): Platform {
  // A browser has no main process to keep a lock: it locks itself.
  const { appLock: _appLock, ...desktop } = createDesktopPlatform(bridge);
  return {
    ...desktop,
    kind: 'browser',
    showsOwnPopups: false,
    // A browser signs in at its own origin: no server address.
    signIn: async ({ username, password }) => {
      const state = await bridge.signIn({ serverUrl: 'http://clinic.test', username, password });
      if (!state.session) throw new Error('sign-in refused');
      return state.session.user;
    },
  };
}

describe('the idle lock of a shared workstation', () => {
  it('locks the page after the minutes set without use, and unlocks with the password', async () => {
    setAutoLockMinutes(5);
    const bridge = new FakeDesktopBridge().on('GET /api/conversations', () =>
      json({ conversations: [] }),
    );
    window.location.hash = '#/conversations';
    render(<App platform={browserLike(bridge)} />);
    await screen.findByRole('heading', { name: 'Messages' });
    expect(screen.queryByTestId('lock-screen')).toBeNull();

    // Five minutes and more pass without a key or a pointer moving.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 5 * 60_000 + 1_000);
    expect(await screen.findByTestId('lock-screen', {}, { timeout: 25_000 })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Messages' })).toBeNull();

    vi.useRealTimers();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Password'), 'clinicpulse{Enter}');
    await screen.findByRole('heading', { name: 'Messages' });
    expect(bridge.signIns.map((request) => [request.username, request.password])).toEqual([
      ['dr.smith', 'clinicpulse'],
    ]);
  }, 40_000);

  it("counts the minutes from the page's render, also when its effects run later", async () => {
    setAutoLockMinutes(5);
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    const platform = browserLike(new FakeDesktopBridge());
    // The time a loaded machine may take between showing the page and running its effects,
    // made certain: a layout effect of the page runs before the lock's passive effect.
    function PageThatTakesLong() {
      useLayoutEffect(() => {
        vi.setSystemTime(Date.now() + 5 * 60_000 + 1_000);
      }, []);
      return <h1>Messages</h1>;
    }
    render(
      <SessionContext.Provider value={{ platform, api: platform.api, user: ME, signOut: () => undefined }}>
        <EventsProvider hub={platform.createEventHub()}>
          <SendQueueProvider>
            <IdleLock>
              <PageThatTakesLong />
            </IdleLock>
          </SendQueueProvider>
        </EventsProvider>
      </SessionContext.Provider>,
    );
    await act(() => vi.advanceTimersByTimeAsync(5_000));
    expect(screen.getByTestId('lock-screen')).toBeTruthy();
  });

  it('stays locked across a reload', async () => {
    setAutoLockMinutes(5);
    localStorage.setItem('clinicpulse.lockedUserId', '1');
    const bridge = new FakeDesktopBridge();
    render(<App platform={browserLike(bridge)} />);
    expect(await screen.findByTestId('lock-screen')).toBeTruthy();
  });
});

describe("the desktop app's lock with the OS screen", () => {
  it('shows only the lock screen while the main process says locked, and opens with the password', async () => {
    const bridge = new FakeDesktopBridge().on('GET /api/conversations', () =>
      json({ conversations: [] }),
    );
    renderApp(bridge, '#/conversations');
    await screen.findByRole('heading', { name: 'Messages' });

    await bridge.lockWithScreen();
    expect(await screen.findByTestId('lock-screen')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Messages' })).toBeNull();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Password'), 'wrong{Enter}');
    expect((await screen.findByRole('alert')).textContent).toMatch(/incorrect/);
    expect(screen.getByTestId('lock-screen')).toBeTruthy();
    await user.type(screen.getByLabelText('Password'), 'clinicpulse{Enter}');
    await screen.findByRole('heading', { name: 'Messages' });
    expect(bridge.unlockPasswords).toEqual(['wrong', 'clinicpulse']);
    // Unlocking is not a new sign-in: the main process's session goes on.
    expect(bridge.signIns).toEqual([]);
  });

  it('is locked already when the window opens while the app is locked', async () => {
    const bridge = new FakeDesktopBridge();
    bridge.locked = true;
    renderApp(bridge, '#/conversations');
    expect(await screen.findByTestId('lock-screen')).toBeTruthy();
  });
});

describe('signing out everywhere', () => {
  it('asks the server to end every session, then shows the sign-in page', async () => {
    const user = userEvent.setup();
    const bridge = new FakeDesktopBridge().on('POST /api/me/sign-out-everywhere', () => ({
      status: 204,
      body: null,
    }));
    renderApp(bridge, '#/settings');
    await user.click(await screen.findByRole('button', { name: 'Sign out everywhere' }));
    await waitFor(() =>
      expect(bridge.requestsTo('POST /api/me/sign-out-everywhere')).toHaveLength(1),
    );
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
  });
});
