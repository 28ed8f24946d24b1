import { describe, expect, it } from 'vitest';
import type { NotifyingEvent } from '../../common/events.js';
import { UnreadCounter } from '../../main/unread/unread-counter.js';

const notice = (id: number): NotifyingEvent => ({
  id,
  type: 'system_notification',
  content: `notice ${id}`,
  timestamp: '2025-01-20T10:30:00Z',
});

const chat = (id: number, conversationId: string, messageId: number): NotifyingEvent => ({
  id,
  type: 'new_message',
  conversation_id: conversationId,
  sender: 'Dr. Smith',
  text: `message ${messageId}`,
  timestamp: '2025-01-20T10:30:00Z',
  message_id: String(messageId),
  sender_id: '1',
});

describe('unread counter (the badge)', () => {
  it('counts notifying events after the read marker, each once', () => {
    const counter = new UnreadCounter({ lastReadEventId: 10, unreadIds: [], unreadMessages: [] });
    expect(counter.add(notice(9))).toBe(false);
    expect(counter.add(notice(10))).toBe(false);
    expect(counter.add(notice(11))).toBe(true);
    expect(counter.add(notice(11))).toBe(false);
    expect(counter.add(chat(12, '7', 40))).toBe(true);
    expect(counter.count).toBe(2);
  });

  it('a notifications_read marker (any desk) removes what it covers', () => {
    const counter = new UnreadCounter();
    for (const id of [1, 2, 3, 4]) counter.add(notice(id));
    expect(counter.markReadUpTo(2)).toBe(true);
    expect(counter.count).toBe(2);
    expect(counter.markReadUpTo(1)).toBe(false);
    expect(counter.lastReadEventId).toBe(2);
    expect(counter.add(notice(2))).toBe(false);
    expect(counter.markReadUpTo(4)).toBe(true);
    expect(counter.count).toBe(0);
    expect(counter.markReadUpTo(7)).toBe(false);
  });

  it('a conversation read (any desk) removes the message notifications it reached, and nothing else', () => {
    const counter = new UnreadCounter();
    counter.add(chat(1, '7', 40));
    counter.add(chat(2, '7', 41));
    counter.add(chat(3, '8', 40));
    counter.add(notice(4));
    // The test panel's new_message names no message: only the marker reads it.
    counter.add({ id: 5, type: 'new_message', conversation_id: '7', sender: 'Test', text: 'hi', timestamp: 'now' });
    expect(counter.markConversationRead({ conversationId: '7', messageId: 40 })).toBe(true);
    expect(counter.snapshot().unreadIds).toEqual([2, 3, 4, 5]);
    expect(counter.markConversationRead({ conversationId: '7', messageId: 40 })).toBe(false);
    expect(counter.markConversationRead({ conversationId: '7', messageId: 99 })).toBe(true);
    expect(counter.snapshot().unreadIds).toEqual([3, 4, 5]);
  });

  it('round-trips through a snapshot, dropping ids the marker covers and keeping what each message is', () => {
    const counter = new UnreadCounter({
      lastReadEventId: 5,
      unreadIds: [3, 6, 8],
      unreadMessages: [
        { id: 3, conversationId: '7', messageId: 39 },
        { id: 8, conversationId: '7', messageId: 41 },
      ],
    });
    expect(counter.count).toBe(2);
    expect(counter.snapshot()).toEqual({
      lastReadEventId: 5,
      unreadIds: [6, 8],
      unreadMessages: [{ id: 8, conversationId: '7', messageId: 41 }],
    });
    const restored = new UnreadCounter(counter.snapshot());
    expect(restored.count).toBe(2);
    expect(restored.markConversationRead({ conversationId: '7', messageId: 41 })).toBe(true);
    expect(restored.snapshot().unreadIds).toEqual([6]);
  });
});
