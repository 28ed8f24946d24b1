import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation, User } from '../../common/api.js';
import { FakeDesktopBridge, json, ME, PATEL } from './support/fake-desktop-bridge.js';
import { newMessage } from './support/frames.js';
import { conversation, message, renderApp } from './support/render-app.js';

afterEach(cleanup);

const timestamp = '2025-01-20T10:31:00Z';

describe('lists kept live by events', () => {
  it('the Messages tab shows the unread total on every page, and follows new messages', async () => {
    const bridge = new FakeDesktopBridge().on('GET /api/conversations', () =>
      json({
        conversations: [
          conversation(7, { unreadCount: 2, lastMessage: message(2) }),
          conversation(8, { unreadCount: 1, lastMessage: message(5, { conversationId: 8 }) }),
        ],
      }),
    );
    renderApp(bridge, '#/settings');
    const badge = await screen.findByTestId('nav-unread-messages');
    expect(badge.textContent).toBe('3 unread');
    act(() => bridge.emit(newMessage(101, { conversation_id: '8', message_id: '6' })));
    await waitFor(() =>
      expect(screen.getByTestId('nav-unread-messages').textContent).toBe('4 unread'),
    );
  });

  it('a conversation someone started shows in the list before its first message', async () => {
    let conversations: Conversation[] = [];
    const bridge = new FakeDesktopBridge().on('GET /api/conversations', () =>
      json({ conversations }),
    );
    renderApp(bridge, '#/conversations');
    await screen.findByText(/No conversations yet/);
    conversations = [conversation(9, { title: 'Rota swap' })];
    act(() =>
      bridge.emit({
        id: 50,
        type: 'conversation_changed',
        conversation_id: '9',
        change: 'created',
        timestamp,
      }),
    );
    expect(await screen.findByText('Rota swap')).toBeTruthy();
  });

  it('a new colleague shows in the picker once the directory changes, without a reload', async () => {
    let users: User[] = [ME, PATEL];
    const bridge = new FakeDesktopBridge()
      .on('GET /api/conversations', () => json({ conversations: [] }))
      .on('GET /api/users', () => json({ users }));
    renderApp(bridge, '#/appointments');
    await screen.findByRole('heading', { name: 'New appointment' });
    await screen.findByText(PATEL.displayName);
    users = [
      ...users,
      { id: 9, username: 'nurse.kim', displayName: 'Nurse Kim Park', role: 'nurse' },
    ];
    act(() => bridge.emit({ id: 51, type: 'directory_changed', timestamp }));
    expect(await screen.findByText('Nurse Kim Park')).toBeTruthy();
  });
});
