import { describe, expect, it } from 'vitest';
import type { NotifyingEvent } from '../../common/events.js';
import {
  EMPTY_INBOX,
  INBOX_LIMIT,
  inboxReducer,
  isUnread,
  newestEventId,
  unreadCount,
  type InboxAction,
  type InboxState,
} from '../../renderer/src/inbox/inbox-state.js';
import { newMessage, reminder, systemNotice } from './support/frames.js';

function apply(actions: InboxAction[], state: InboxState = EMPTY_INBOX): InboxState {
  return actions.reduce(inboxReducer, state);
}

const received = (event: NotifyingEvent): InboxAction => ({ type: 'received', event });

describe('the notification inbox', () => {
  it('lists every kind of event newest first, once per id, whatever order they came in', () => {
    const state = apply([
      received(newMessage(3)),
      received(reminder(5)),
      received(systemNotice(4)),
      received(newMessage(3)),
      received(systemNotice(1)),
    ]);
    expect(state.items.map((item) => [item.id, item.type])).toEqual([
      [5, 'appointment_reminder'],
      [4, 'system_notification'],
      [3, 'new_message'],
      [1, 'system_notification'],
    ]);
    expect(newestEventId(state)).toBe(5);
  });

  it('marks nothing unread until the server said how far the user has read', () => {
    const state = apply([received(newMessage(3))]);
    expect(isUnread(state, newMessage(3))).toBe(false);
    expect(unreadCount(state)).toBe(0);
  });

  it('counts as unread what lies above the read mark', () => {
    const state = apply([
      received(newMessage(10)),
      received(newMessage(11)),
      received(reminder(12)),
      { type: 'read_up_to', lastEventId: 10 },
    ]);
    expect(state.items.map((item) => isUnread(state, item))).toEqual([true, true, false]);
    expect(unreadCount(state)).toBe(2);
  });

  it('follows a read mark set on another desk, and never moves it back', () => {
    let state = apply([
      received(newMessage(10)),
      received(newMessage(11)),
      { type: 'read_up_to', lastEventId: 0 },
    ]);
    expect(unreadCount(state)).toBe(2);
    state = apply([{ type: 'read_up_to', lastEventId: 11 }], state);
    expect(unreadCount(state)).toBe(0);
    // A slower desk's older acknowledgement arrives late.
    state = apply([{ type: 'read_up_to', lastEventId: 10 }], state);
    expect(state.lastReadEventId).toBe(11);
    state = apply([received(systemNotice(13))], state);
    expect(unreadCount(state)).toBe(1);
  });

  it('counts a message notification read once its conversation was read that far, on any desk', () => {
    const readIn = (conversationId: string, messageId: number): InboxAction => ({
      type: 'conversation_read',
      read: { conversationId, messageId },
    });
    const state = apply([
      { type: 'read_up_to', lastEventId: 0 },
      received(newMessage(1, { conversation_id: '7', message_id: '40' })),
      received(newMessage(2, { conversation_id: '7', message_id: '41' })),
      received(newMessage(3, { conversation_id: '8', message_id: '40' })),
      received(systemNotice(4)),
      readIn('7', 40),
      readIn('7', 39),
    ]);
    expect(state.items.filter((item) => isUnread(state, item)).map((item) => item.id)).toEqual([4, 3, 2]);
    const later = apply([readIn('7', 41)], state);
    expect(unreadCount(later)).toBe(2);
    // The test panel's new_message names no message: only the read mark reaches it.
    const panel = apply(
      [received({ id: 5, type: 'new_message', conversation_id: '7', sender: 'Test', text: 'hi', timestamp: 'now' })],
      later,
    );
    expect(unreadCount(panel)).toBe(3);
  });

  it('after a resync forgets events above the position the server gave', () => {
    const state = apply([
      received(newMessage(10)),
      received(newMessage(900)),
      { type: 'resync', lastEventId: 10 },
      received(newMessage(11)),
    ]);
    expect(state.items.map((item) => item.id)).toEqual([11, 10]);
  });

  it('keeps the newest events when it is full', () => {
    const actions = Array.from({ length: INBOX_LIMIT + 5 }, (_, index) =>
      received(systemNotice(index + 1)),
    );
    const state = apply(actions);
    expect(state.items).toHaveLength(INBOX_LIMIT);
    expect(state.items[0]?.id).toBe(INBOX_LIMIT + 5);
    expect(state.items.at(-1)?.id).toBe(6);
  });
});
