import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeDesktopBridge, json } from './support/fake-desktop-bridge.js';
import { newMessage, reminder, systemNotice } from './support/frames.js';
import { conversation, giveMessageListASize, renderApp } from './support/render-app.js';

let undoLayout: () => void;
beforeAll(() => {
  undoLayout = giveMessageListASize();
});
afterAll(() => undoLayout());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

let bridge: FakeDesktopBridge;
beforeEach(() => {
  bridge = new FakeDesktopBridge();
  bridge
    .on('GET /api/conversations', () => json({ conversations: [conversation(7), conversation(8)] }))
    .on('GET /api/conversations/7', () => json({ conversation: conversation(7) }))
    .on('GET /api/conversations/7/messages?limit=50', () => json({ messages: [], hasMore: false }))
    .on('GET /api/conversations/8', () => json({ conversation: conversation(8) }))
    .on('GET /api/conversations/8/messages?limit=50', () => json({ messages: [], hasMore: false }));
});

async function appListening() {
  await screen.findAllByRole('heading', { name: 'Messages' });
  await waitFor(() => expect(bridge.eventListenerCount).toBeGreaterThan(0));
}

const banners = () => screen.queryAllByTestId('alert-banner');

describe('in-app alert banners', () => {
  it('shows an urgent message from a conversation that is not open until the person opens it', async () => {
    const user = userEvent.setup();
    renderApp(bridge, '#/conversations/8');
    await appListening();
    act(() =>
      bridge.emit(
        newMessage(30, {
          text: 'URGENT — chest pain in room 3',
          priority: 'urgent',
          conversation_title: 'Ward round',
        }),
      ),
    );
    const banner = await screen.findByRole('alert');
    expect(banner.textContent).toContain('Urgent message from Dr. Raj Patel in Ward round');
    expect(banner.textContent).toContain('URGENT — chest pain in room 3');
    // Urgent banners cannot be waved away: only opening (or acknowledging) ends them.
    expect(within(banner).queryByRole('button', { name: 'Dismiss' })).toBeNull();

    await user.click(within(banner).getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(window.location.hash).toBe('#/conversations/7'));
    expect(banners()).toEqual([]);
  });

  it('clears an urgent banner when its conversation is opened any other way', async () => {
    renderApp(bridge, '#/conversations/8');
    await appListening();
    act(() => bridge.emit(newMessage(31, { priority: 'urgent' })));
    await screen.findByRole('alert');
    act(() => {
      window.location.hash = '#/conversations/7';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    await waitFor(() => expect(banners()).toEqual([]));
  });

  it('raises no banner for a message in the conversation on screen', async () => {
    renderApp(bridge, '#/conversations/7');
    await appListening();
    act(() => bridge.emit(newMessage(32, { priority: 'urgent', text: 'Already in view' })));
    await within(screen.getByTestId('thread')).findByText('Already in view');
    expect(banners()).toEqual([]);
  });

  it('lets a routine banner go by itself, and keeps an appointment reminder as urgent', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    renderApp(bridge, '#/conversations/8');
    await appListening();
    act(() => {
      bridge.emit(newMessage(33, { text: 'Lunch at 12:30?' }));
      bridge.emit(reminder(34, 'Annual checkup'));
      bridge.emit(systemNotice(35, 'Server maintenance at 22:00'));
    });
    await waitFor(() => expect(banners()).toHaveLength(3));
    expect(banners().map((banner) => banner.dataset.urgent)).toEqual(['false', 'true', 'false']);

    await act(async () => vi.advanceTimersByTimeAsync(10_000));
    const left = banners();
    expect(left).toHaveLength(1);
    expect(left[0]?.textContent).toContain('Appointment reminder');
    expect(left[0]?.textContent).toContain('Annual checkup');
  });

  it('holds routine banners under do-not-disturb but not urgent ones', async () => {
    bridge.settings = { ...bridge.settings, doNotDisturb: true };
    renderApp(bridge, '#/conversations/8');
    await appListening();
    act(() => {
      bridge.emit(newMessage(36, { text: 'Routine while away' }));
      bridge.emit(
        newMessage(37, {
          text: 'Urgent while away',
          priority: 'urgent',
          passes_do_not_disturb: true,
        }),
      );
    });
    const banner = await screen.findByRole('alert');
    expect(banner.textContent).toContain('Urgent while away');
    expect(banners()).toHaveLength(1);
  });

  it('acknowledges an urgent alert from its banner, and clears a banner acknowledged on another desk', async () => {
    const user = userEvent.setup();
    bridge.on('POST /api/alerts/51/acknowledge', () => json({ alert: {} }));
    renderApp(bridge, '#/conversations/8');
    await appListening();
    act(() => {
      bridge.emit(newMessage(38, { priority: 'urgent', text: 'Bay 2', alert_id: '51' }));
      bridge.emit(reminder(39, 'Mr Alvarez'));
      bridge.emit({ ...reminder(40, 'Mrs Chen'), alert_id: '52' });
    });
    await waitFor(() => expect(banners()).toHaveLength(3));
    const bay2 = banners().find((banner) => banner.textContent?.includes('Bay 2'))!;
    await user.click(within(bay2).getByRole('button', { name: 'Acknowledge' }));
    await waitFor(() =>
      expect(bridge.requestsTo('POST /api/alerts/51/acknowledge')).toHaveLength(1),
    );
    await waitFor(() => expect(banners()).toHaveLength(2));

    act(() =>
      bridge.emit({
        id: 41,
        type: 'alert_acknowledged',
        alert_id: '52',
        appointmentId: '456',
        by: 'Nurse Ben Jones',
        by_id: '3',
        timestamp: '2025-01-20T10:43:00Z',
      }),
    );
    await waitFor(() => expect(banners()).toHaveLength(1));
    // A reminder without an alert (an old server, a test event) asks for no acknowledgement.
    expect(within(banners()[0]!).queryByRole('button', { name: 'Acknowledge' })).toBeNull();
  });
});
