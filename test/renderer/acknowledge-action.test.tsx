import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeDesktopBridge, json, ME } from './support/fake-desktop-bridge.js';
import { newMessage } from './support/frames.js';
import { conversation, giveMessageListASize, message, renderApp } from './support/render-app.js';

let undoLayout: () => void;
beforeAll(() => {
  undoLayout = giveMessageListASize();
});
afterAll(() => undoLayout());
afterEach(cleanup);

let bridge: FakeDesktopBridge;
beforeEach(() => {
  bridge = new FakeDesktopBridge();
  bridge
    .on('GET /api/conversations', () => json({ conversations: [conversation(7)] }))
    .on('GET /api/conversations/7', () => json({ conversation: conversation(7) }))
    .on('GET /api/conversations/7/messages?limit=50', () =>
      json({ messages: [message(5, { text: 'Routine note', alertId: 20 })], hasMore: false }),
    )
    .on('GET /api/conversations/7/alerts', () => json({ alerts: [] }))
    .on('POST /api/conversations/7/read', () => json({ conversation: conversation(7) }))
    .on('POST /api/alerts/21/acknowledge', () => json({ alert: {} }));
});

describe('acknowledging in the thread', () => {
  it('offers Acknowledge under a colleague’s urgent message only, then says who acknowledged', async () => {
    const user = userEvent.setup();
    renderApp(bridge, '#/conversations/7');
    const thread = await screen.findByTestId('thread');
    await within(thread).findByText('Routine note');
    expect(within(thread).queryByRole('button', { name: 'Acknowledge' })).toBeNull();

    act(() =>
      bridge.emit(newMessage(6, { text: 'Bay 2 now', priority: 'urgent', alert_id: '21' })),
    );
    const urgent = (await within(thread).findByText('Bay 2 now')).closest('article')!;
    expect(urgent.textContent).toContain('Urgent');
    await user.click(within(urgent).getByRole('button', { name: 'Acknowledge' }));
    expect(bridge.requestsTo('POST /api/alerts/21/acknowledge')).toHaveLength(1);

    bridge.on('GET /api/conversations/7/alerts', () =>
      json({
        alerts: [
          {
            alertId: 21,
            kind: 'message',
            priority: 'urgent',
            conversationId: 7,
            messageId: 6,
            createdAt: '2025-01-20T10:42:00Z',
            version: 3,
            acknowledged: {
              at: '2025-01-20T10:43:00Z',
              userId: ME.id,
              displayName: ME.displayName,
              deskName: null,
            },
            counts: { recipients: 1, delivered: 1, shown: 1, held: 0, read: 1 },
            repeats: { sent: 1, planned: 3 },
            nextStepAt: null,
            escalation: null,
            escalatedFrom: null,
            recipients: [],
          },
        ],
      }),
    );
    act(() =>
      bridge.emit({
        id: 7,
        type: 'alert_acknowledged',
        alert_id: '21',
        conversation_id: '7',
        message_id: '6',
        by: ME.displayName,
        by_id: String(ME.id),
        timestamp: '2025-01-20T10:43:00Z',
      }),
    );
    await waitFor(() =>
      expect(within(urgent).getByTestId('acknowledged').textContent).toMatch(
        /^Acknowledged .+ by Dr. Sarah Smith$/,
      ),
    );
    expect(within(urgent).queryByRole('button', { name: 'Acknowledge' })).toBeNull();
  });
});
