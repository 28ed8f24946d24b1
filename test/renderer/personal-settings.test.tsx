import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PersonalSettings } from '../../common/api.js';
import { createApiClient } from '../../renderer/src/api/api-client.js';
import type { ApiTransport } from '../../renderer/src/api/api-transport.js';
import { SessionContext } from '../../renderer/src/app/session-context.js';
import { BrowserEventFeed } from '../../renderer/src/events/browser-event-feed.js';
import { EventHub } from '../../renderer/src/events/event-hub.js';
import { EventsProvider } from '../../renderer/src/events/EventsProvider.js';
import { createBrowserSettingsStore } from '../../renderer/src/platform/browser-settings-store.js';
import type { Platform } from '../../renderer/src/platform/platform.js';
import { SettingsProvider, useSettings } from '../../renderer/src/settings/SettingsProvider.js';
import { FakeDesktopBridge, ME, json } from './support/fake-desktop-bridge.js';
import { FakeEventSource } from './support/fake-event-source.js';
import { renderApp } from './support/render-app.js';

beforeEach(() => FakeEventSource.reset());
afterEach(() => {
  cleanup();
  localStorage.clear();
});

const theirs: PersonalSettings = {
  previewLevel: 'count_only',
  doNotDisturb: true,
  doNotDisturbUntil: null,
  quietHours: { enabled: true, start: '21:00', end: '06:30' },
  sound: false,
};

describe('settings that follow the person, in the desktop app', () => {
  it('the page shows what the main process keeps, also when the tray or another desk changed it', async () => {
    const bridge = new FakeDesktopBridge();
    renderApp(bridge, '#/settings');
    const dnd = await screen.findByLabelText(/^Do not disturb/);
    expect(dnd).toHaveProperty('checked', false);
    // The main process followed the person's other desk (or the tray's Do not disturb).
    await act(() => bridge.changeSettingsInMain({ doNotDisturb: true, sound: false }));
    expect(screen.getByLabelText(/^Do not disturb/)).toHaveProperty('checked', true);
    expect(screen.getByLabelText(/^Sound/)).toHaveProperty('checked', false);
  });

  it('hands a change to the main process, which tells the server: the page itself neither reads nor writes the person’s settings', async () => {
    const user = userEvent.setup();
    const bridge = new FakeDesktopBridge();
    renderApp(bridge, '#/settings');
    await user.click(await screen.findByLabelText(/^Sound/));
    expect(bridge.settings.sound).toBe(false);
    act(() =>
      bridge.emit({
        id: 60,
        type: 'settings_changed',
        settings: theirs,
        timestamp: '2025-01-20T10:00:00Z',
      }),
    );
    expect(bridge.settings.previewLevel).toBe('sender_only');
    expect(bridge.requestsTo('GET /api/me/settings')).toEqual([]);
    expect(bridge.requestsTo('PATCH /api/me/settings')).toEqual([]);
  });

  it('"Keep separate pop-up settings" is the main process’s setting of this computer', async () => {
    const user = userEvent.setup();
    const bridge = new FakeDesktopBridge();
    renderApp(bridge, '#/settings');
    await user.click(await screen.findByLabelText(/^Keep separate pop-up settings/));
    expect(bridge.settings.keepOwnSettings).toBe(true);
    expect(screen.getByText(/apply to this computer only/)).toBeTruthy();
    await user.click(screen.getByLabelText(/^Keep separate pop-up settings/));
    expect(bridge.settings.keepOwnSettings).toBe(false);
  });
});

/** A browser page's settings, over a stand-in for the server's /api/me/settings. */
function browserPage(personal: PersonalSettings | null, settingsRead: Promise<void> = Promise.resolve()) {
  const requests: { method: string; path: string; body?: unknown }[] = [];
  const transport: ApiTransport = {
    request: async (request) => {
      requests.push(request);
      if (request.method === 'GET') await settingsRead;
      if (request.path === '/api/me/settings')
        return json({
          settings:
            request.method === 'PATCH'
              ? { ...(personal ?? theirs), ...(request.body as object) }
              : personal,
        });
      return json({ error: { code: 'not_found', message: 'no route' } }, 404);
    },
  };
  const api = createApiClient(transport);
  const store = createBrowserSettingsStore(localStorage);
  const hub = new EventHub(
    new BrowserEventFeed({
      url: '/api/events/stream',
      EventSource: FakeEventSource,
      checkSession: async () => 'signed_in',
      probe: async () => true,
    }),
    { historyBeforeFirstReady: true },
  );
  const seen: { current: ReturnType<typeof useSettings> | null } = { current: null };
  function Probe() {
    seen.current = useSettings();
    return <p>{seen.current.settings ? `sound ${String(seen.current.settings.sound)}` : 'loading'}</p>;
  }
  render(
    <SessionContext.Provider
      value={{ platform: {} as Platform, api, user: ME, signOut: () => undefined }}
    >
      <EventsProvider hub={hub}>
        <SettingsProvider store={store}>
          <Probe />
        </SettingsProvider>
      </EventsProvider>
    </SessionContext.Provider>,
  );
  const patches = () => requests.filter((request) => request.method === 'PATCH');
  return { store, seen, patches, source: () => FakeEventSource.latest() };
}

describe('settings that follow the person, in a browser', () => {
  it("take the person's settings at a desk they sign in at", async () => {
    const page = browserPage(theirs);
    await waitFor(async () =>
      expect(await page.store.load()).toMatchObject({ previewLevel: 'count_only', sound: false }),
    );
  });

  it('send a change made here to the server (only what follows the person), and follow a change made elsewhere', async () => {
    const page = browserPage(null);
    // The first desk a person uses gives them its settings.
    await waitFor(() => expect(page.patches()).toHaveLength(1));
    await act(() => page.seen.current!.update({ sound: false, startAtLogin: true }));
    expect(page.patches()[1]?.body).toEqual({ sound: false });
    act(() => {
      page.source().open();
      page.source().send('settings_changed', {
        id: 60,
        type: 'settings_changed',
        settings: { ...theirs, sound: true },
        timestamp: '2025-01-20T10:00:00Z',
      });
    });
    await waitFor(async () =>
      expect(await page.store.load()).toMatchObject({ doNotDisturb: true, sound: true }),
    );
  });

  it('keep a change made while the server was still answering with what it had before', async () => {
    let answer!: () => void;
    const page = browserPage(theirs, new Promise((resolve) => (answer = resolve)));
    await waitFor(() => expect(page.seen.current?.settings).not.toBeNull());
    await act(() => page.seen.current!.update({ doNotDisturb: false, sound: true }));
    await act(async () => answer());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await page.store.load()).toMatchObject({ doNotDisturb: false, sound: true });
    expect(page.patches()[0]?.body).toEqual({ doNotDisturb: false, sound: true });
  });

  it('leave a desk that keeps its own settings alone', async () => {
    const page = browserPage(null);
    await waitFor(() => expect(page.patches()).toHaveLength(1));
    await act(() => page.seen.current!.setDeskOwn(true));
    await act(() => page.seen.current!.update({ sound: false }));
    act(() => {
      page.source().open();
      page.source().send('settings_changed', {
        id: 61,
        type: 'settings_changed',
        settings: theirs,
        timestamp: '2025-01-20T10:00:00Z',
      });
    });
    expect(page.patches()).toHaveLength(1);
    expect(await page.store.load()).toMatchObject({ doNotDisturb: false, sound: false });
  });
});
