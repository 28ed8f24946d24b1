import { act, cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDesktopBridge, json } from './support/fake-desktop-bridge.js';
import {
  conversationRead,
  messageSent,
  newMessage,
  notificationsRead,
  reminder,
  systemNotice,
} from './support/frames.js';
import { conversation, renderApp } from './support/render-app.js';

afterEach(cleanup);

let bridge: FakeDesktopBridge;
beforeEach(() => {
  bridge = new FakeDesktopBridge();
  bridge.on('GET /api/events/state', () => json({ lastEventId: 23, lastReadEventId: 20 }));
});

/** The page is up and its effects have run: events and pop-up clicks reach it from now on. */
async function appListening() {
  await screen.findByRole('heading', { name: 'Notifications' });
  await waitFor(() => expect(bridge.eventListenerCount).toBe(1));
}

function items() {
  return screen.getAllByTestId('inbox-item').map((item) => ({
    type: item.dataset.eventType,
    unread: item.dataset.unread === 'true',
    text: item.querySelector('.inbox-item__text')?.textContent,
  }));
}

describe('the notifications inbox', () => {
  it('lists each event type newest first and marks what lies above the read mark', async () => {
    renderApp(bridge, '#/notifications');
    await appListening();
    act(() => {
      bridge.emit(newMessage(20, { text: 'Seen already' }));
      bridge.emit(reminder(21, 'Annual checkup'));
      bridge.emit(systemNotice(22, 'Server maintenance at 22:00'));
      bridge.emit(newMessage(23, { text: 'Bed 4, please' }));
    });
    await waitFor(() => expect(screen.getByTestId('inbox-unread').textContent).toBe('3 unread'));
    expect(items()).toEqual([
      { type: 'new_message', unread: true, text: 'Dr. Raj Patel: Bed 4, please' },
      { type: 'system_notification', unread: true, text: 'Server maintenance at 22:00' },
      {
        type: 'appointment_reminder',
        unread: true,
        text: expect.stringContaining('Annual checkup'),
      },
      { type: 'new_message', unread: false, text: 'Dr. Raj Patel: Seen already' },
    ]);
    expect(screen.getByTestId('nav-unread').textContent).toBe('3 unread');
  });

  it('follows `notifications_read` from another desk', async () => {
    renderApp(bridge, '#/notifications');
    await appListening();
    act(() => {
      bridge.emit(newMessage(21));
      bridge.emit(newMessage(22));
    });
    await waitFor(() => expect(screen.getByTestId('inbox-unread').textContent).toBe('2 unread'));
    act(() => bridge.emit(notificationsRead(24, 22)));
    expect(screen.getByTestId('inbox-unread').textContent).toBe('All read');
    expect(items().every((item) => !item.unread)).toBe(true);
    expect(screen.queryByTestId('nav-unread')).toBeNull();
  });

  it('marks a message notification read once its conversation was read that far, on any desk', async () => {
    renderApp(bridge, '#/notifications');
    await appListening();
    act(() => {
      bridge.emit(newMessage(24, { conversation_id: '7', message_id: '40', text: 'Bed 4, please' }));
      bridge.emit(newMessage(25, { conversation_id: '8', message_id: '41', text: 'Night shift swap?' }));
      bridge.emit(systemNotice(26, 'Server maintenance at 22:00'));
    });
    await waitFor(() => expect(screen.getByTestId('inbox-unread').textContent).toBe('3 unread'));
    act(() => bridge.emit(conversationRead(27, '7', '40')));
    expect(screen.getByTestId('inbox-unread').textContent).toBe('2 unread');
    expect(items().map((item) => item.unread)).toEqual([true, true, false]);
    expect(screen.getByTestId('nav-unread').textContent).toBe('2 unread');
  });

  it("leaves out the user's own reads and sends: they are no one's news", async () => {
    renderApp(bridge, '#/notifications');
    await appListening();
    act(() => {
      bridge.emit(messageSent(21, { text: 'Sent from the exam room' }));
      bridge.emit(conversationRead(22, '7', '21'));
      bridge.emit(systemNotice(23, 'Server maintenance at 22:00'));
    });
    await waitFor(() => expect(screen.getByTestId('inbox-unread').textContent).toBe('1 unread'));
    expect(items()).toEqual([
      { type: 'system_notification', unread: true, text: 'Server maintenance at 22:00' },
    ]);
    expect(screen.getByTestId('nav-unread').textContent).toBe('1 unread');
    expect(document.title).toBe('(1) ClinicPulse');
  });

  it('"Mark all read" clears the marks at once and tells the server', async () => {
    const user = userEvent.setup();
    renderApp(bridge, '#/notifications');
    await appListening();
    act(() => bridge.emit(systemNotice(21)));
    await waitFor(() => expect(screen.getByTestId('inbox-unread').textContent).toBe('1 unread'));
    await user.click(screen.getByRole('button', { name: 'Mark all read' }));
    expect(screen.getByTestId('inbox-unread').textContent).toBe('All read');
    expect(bridge.markAllReadCalls).toBe(1);
  });

  it('opens the conversation a message notification is about', async () => {
    const user = userEvent.setup();
    bridge
      .on('GET /api/conversations', () => json({ conversations: [conversation(7)] }))
      .on('GET /api/conversations/7', () => json({ conversation: conversation(7) }))
      .on('GET /api/conversations/7/messages?limit=50', () =>
        json({ messages: [], hasMore: false }),
      );
    renderApp(bridge, '#/notifications');
    await appListening();
    act(() => bridge.emit(newMessage(21, { conversation_id: '7' })));
    await user.click(await screen.findByTestId('inbox-item'));
    expect(window.location.hash).toBe('#/conversations/7');
    expect(await screen.findByTestId('thread')).toBeTruthy();
  });

  it('follows a click on one of the desktop app’s native pop-ups', async () => {
    bridge.on('GET /api/appointments', () => json({ appointments: [] }));
    renderApp(bridge, '#/notifications');
    await appListening();
    act(() => bridge.clickNotification({ kind: 'appointment', appointmentId: '456' }));
    expect(window.location.hash).toBe('#/appointments/456');
    expect(await screen.findByRole('heading', { name: 'Appointments' })).toBeTruthy();
  });
});
