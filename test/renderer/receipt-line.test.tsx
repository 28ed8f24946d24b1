import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlertStatus } from '../../common/alerts.js';
import { FakeDesktopBridge, json, ME, PATEL } from './support/fake-desktop-bridge.js';
import { conversation, giveMessageListASize, message, renderApp } from './support/render-app.js';

let undoLayout: () => void;
beforeAll(() => {
  undoLayout = giveMessageListASize();
});
afterAll(() => undoLayout());
afterEach(cleanup);

const own = message(5, {
  senderId: ME.id,
  senderName: ME.displayName,
  text: 'Bed 4 drip',
  alertId: 11,
});

function status(
  version: number,
  fields: Partial<AlertStatus['recipients'][number]> = {},
  acknowledged: AlertStatus['acknowledged'] = null,
): AlertStatus {
  return {
    alertId: 11,
    kind: 'message',
    priority: 'urgent',
    conversationId: 7,
    messageId: 5,
    createdAt: '2025-01-20T10:40:00.000Z',
    version,
    acknowledged,
    counts: { recipients: 1, delivered: 1, shown: 0, held: 0, read: 0 },
    repeats: { sent: 0, planned: 3 },
    nextStepAt: null,
    escalation: null,
    escalatedFrom: null,
    recipients: [
      {
        userId: PATEL.id,
        displayName: PATEL.displayName,
        viaRole: null,
        deliveredAt: '2025-01-20T10:41:00.000Z',
        readAt: null,
        acknowledgedAt: null,
        desks: [
          {
            deskId: 'desk-ward-0001',
            deskName: "Nurses' station PC",
            deliveredAt: '2025-01-20T10:41:00.000Z',
            shownAt: null,
            overDoNotDisturb: false,
            heldAt: null,
            heldReason: null,
          },
        ],
        ...fields,
      },
    ],
  };
}

let bridge: FakeDesktopBridge;
beforeEach(() => {
  bridge = new FakeDesktopBridge();
  bridge
    .on('GET /api/conversations', () => json({ conversations: [conversation(7)] }))
    .on('GET /api/conversations/7', () => json({ conversation: conversation(7) }))
    .on('GET /api/conversations/7/messages?limit=50', () =>
      json({ messages: [own], hasMore: false }),
    )
    .on('GET /api/conversations/7/alerts', () => json({ alerts: [status(1)] }))
    .on('POST /api/conversations/7/read', () => json({ conversation: conversation(7) }));
});

const summary = () =>
  within(screen.getByTestId('receipt-line')).getByTestId('receipt-summary').textContent;

describe('the receipt line under a message the user sent', () => {
  it('follows delivered → shown → read → acknowledged as the sender’s status events arrive', async () => {
    renderApp(bridge, '#/conversations/7');
    await waitFor(() => expect(summary()).toBe('Delivered'));
    const at = (minute: number) => `2025-01-20T10:4${minute}:00.000Z`;
    const shown = status(2, {
      desks: [{ ...status(1).recipients[0]!.desks[0]!, shownAt: at(1) }],
    });
    act(() =>
      bridge.emit({
        id: 40,
        type: 'alert_status',
        alert_id: '11',
        status: shown,
        timestamp: at(1),
      }),
    );
    await waitFor(() => expect(summary()).toBe('Delivered · Shown on 1 desk'));
    expect(screen.getByTestId('receipt-desk').textContent).toMatch(/^Nurses' station PC: shown /);

    const read = status(3, { desks: shown.recipients[0]!.desks, readAt: at(2) });
    act(() =>
      bridge.emit({ id: 41, type: 'alert_status', alert_id: '11', status: read, timestamp: at(2) }),
    );
    await waitFor(() => expect(summary()).toMatch(/^Delivered · Shown on 1 desk · Read /));

    // An older status arriving late changes nothing.
    act(() =>
      bridge.emit({
        id: 42,
        type: 'alert_status',
        alert_id: '11',
        status: status(1),
        timestamp: at(2),
      }),
    );
    expect(summary()).toMatch(/Read /);

    const acknowledged = status(
      4,
      { desks: shown.recipients[0]!.desks, readAt: at(2), acknowledgedAt: at(3) },
      {
        at: at(3),
        userId: PATEL.id,
        displayName: PATEL.displayName,
        deskName: "Nurses' station PC",
      },
    );
    act(() =>
      bridge.emit({
        id: 43,
        type: 'alert_status',
        alert_id: '11',
        status: acknowledged,
        timestamp: at(3),
      }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('receipt-line').textContent).toMatch(
        /Acknowledged .+ by Dr. Raj Patel/,
      ),
    );
  });
});
