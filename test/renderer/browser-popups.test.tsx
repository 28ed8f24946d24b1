import { act, cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserEventFeed } from '../../renderer/src/events/browser-event-feed.js';
import { EventHub } from '../../renderer/src/events/event-hub.js';
import { EventsProvider } from '../../renderer/src/events/EventsProvider.js';
import { BrowserPopups } from '../../renderer/src/notifications/BrowserPopups.js';
import { createBrowserSettingsStore } from '../../renderer/src/platform/browser-settings-store.js';
import type { Route } from '../../renderer/src/routing/route.js';
import { createApiClient } from '../../renderer/src/api/api-client.js';
import { SessionContext } from '../../renderer/src/app/session-context.js';
import type { Platform } from '../../renderer/src/platform/platform.js';
import { ME } from './support/fake-desktop-bridge.js';
import { SettingsProvider } from '../../renderer/src/settings/SettingsProvider.js';
import { FakeEventSource } from './support/fake-event-source.js';
import { conversationRead, messageSent, newMessage, systemNotice } from './support/frames.js';

/** The OS notification daemon's side of the Notification API: records what would have popped up. */
class RecordedNotification {
  static permission: NotificationPermission = 'granted';
  static shown: RecordedNotification[] = [];
  onclick: (() => void) | null = null;
  closed = false;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    RecordedNotification.shown.push(this);
  }
  close() {
    this.closed = true;
  }
}

let visibility: DocumentVisibilityState = 'hidden';

beforeEach(() => {
  FakeEventSource.reset();
  visibility = 'hidden';
  RecordedNotification.permission = 'granted';
  RecordedNotification.shown = [];
  localStorage.clear();
  vi.stubGlobal('Notification', RecordedNotification);
  vi.stubGlobal('isSecureContext', true);
  vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
  vi.spyOn(window, 'focus').mockImplementation(() => undefined);
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

async function renderPopups(
  settings: Parameters<ReturnType<typeof createBrowserSettingsStore>['update']>[0] = {},
) {
  const store = createBrowserSettingsStore(localStorage);
  await store.update(settings);
  const navigate = vi.fn<(route: Route) => void>();
  const hub = new EventHub(
    new BrowserEventFeed({
      url: '/api/events/stream',
      EventSource: FakeEventSource,
      checkSession: async () => 'signed_in',
      probe: async () => true,
    }),
    { historyBeforeFirstReady: true },
  );
  // A server that keeps no settings for the person: the tab's own apply.
  const api = createApiClient({ request: async () => ({ status: 200, body: { settings: null } }) });
  const session = { platform: {} as Platform, api, user: ME, signOut: () => undefined };
  render(
    <SessionContext.Provider value={session}>
      <EventsProvider hub={hub}>
        <SettingsProvider store={store}>
          <BrowserPopups navigate={navigate} />
        </SettingsProvider>
      </EventsProvider>
    </SessionContext.Provider>,
  );
  await act(async () => {
    await Promise.resolve();
  });
  const source = FakeEventSource.latest();
  act(() => source.open());
  return { source, navigate };
}

describe('browser pop-ups', () => {
  it('pop up live events while the tab is hidden, as much as the privacy level allows', async () => {
    const { source, navigate } = await renderPopups();
    act(() => {
      source.send('new_message', newMessage(1, { text: 'From before this page opened' }));
      source.send('ready', { type: 'ready', lastEventId: 1 });
      source.send(
        'new_message',
        newMessage(2, { conversation_id: '7', text: 'Mr Jones in bed 4' }),
      );
    });
    expect(
      RecordedNotification.shown.map((popup) => [
        popup.title,
        popup.options.body,
        popup.options.tag,
      ]),
    ).toEqual([['Dr. Raj Patel', 'New message', 'clinicpulse-2']]);

    act(() => RecordedNotification.shown[0]?.onclick?.());
    expect(navigate).toHaveBeenCalledWith({ page: 'conversations', conversationId: 7 });
    expect(RecordedNotification.shown[0]?.closed).toBe(true);
  });

  it("stay away for the user's own reads and sends on their other desks", async () => {
    const { source } = await renderPopups();
    act(() => {
      source.send('ready', { type: 'ready', lastEventId: 0 });
      source.send('message_sent', messageSent(6, { text: 'Sent from the exam room' }));
      source.send('conversation_read', conversationRead(7, '7', '6'));
      source.send('system_notification', systemNotice(8));
    });
    expect(RecordedNotification.shown.map((popup) => popup.options.tag)).toEqual(['clinicpulse-8']);
  });

  it('stay away while the tab is visible, and under do-not-disturb', async () => {
    visibility = 'visible';
    const first = await renderPopups();
    act(() => {
      first.source.send('ready', { type: 'ready', lastEventId: 0 });
      first.source.send('system_notification', systemNotice(3));
    });
    expect(RecordedNotification.shown).toEqual([]);
    cleanup();

    visibility = 'hidden';
    const second = await renderPopups({ doNotDisturb: true });
    act(() => {
      second.source.send('ready', { type: 'ready', lastEventId: 0 });
      second.source.send('system_notification', systemNotice(4));
    });
    expect(RecordedNotification.shown).toEqual([]);
  });

  it('stay away for a conversation the person muted, which still reaches the page', async () => {
    const { source } = await renderPopups();
    act(() => {
      source.send('ready', { type: 'ready', lastEventId: 0 });
      source.send('new_message', newMessage(6, { muted: true }));
      source.send('new_message', newMessage(7));
    });
    expect(RecordedNotification.shown).toHaveLength(1);
  });

  it('stay away until the person allowed them', async () => {
    RecordedNotification.permission = 'default';
    const { source } = await renderPopups();
    act(() => {
      source.send('ready', { type: 'ready', lastEventId: 0 });
      source.send('system_notification', systemNotice(5));
    });
    expect(RecordedNotification.shown).toEqual([]);
  });
});
