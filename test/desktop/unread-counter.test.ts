import { describe, expect, it } from 'vitest';
import type { NotifyingEvent } from '../../common/events.js';
import type { UnreadSnapshot } from '../../main/cursor/cursor-store.js';
import { UnreadCounter } from '../../main/unread/unread-counter.js';

const EMPTY: UnreadSnapshot = {
  lastReadEventId: 0,
  unreadIds: [],
  unreadMessages: [],
  readIds: [],
  marks: [],
};

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
    const counter = new UnreadCounter({ ...EMPTY, lastReadEventId: 10 });
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
      ...EMPTY,
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
      readIds: [3],
      marks: [],
    });
    const restored = new UnreadCounter(counter.snapshot());
    expect(restored.count).toBe(2);
    expect(restored.markConversationRead({ conversationId: '7', messageId: 41 })).toBe(true);
    expect(restored.snapshot().unreadIds).toEqual([6]);
  });

  it('a notification marked read or unread on any desk is what its mark says, whatever the marker or its conversation', () => {
    const counter = new UnreadCounter();
    counter.add(notice(1));
    counter.add(chat(2, '7', 40));
    counter.add(notice(3));
    // Opened on another desk: read there, so read here.
    expect(counter.mark([3], true, 100)).toBe(true);
    expect(counter.snapshot().unreadIds).toEqual([1, 2]);
    // "Mark all read" elsewhere, then one of them "Mark unread".
    counter.markReadUpTo(3);
    expect(counter.count).toBe(0);
    expect(counter.mark([2], false, 101)).toBe(true);
    expect(counter.snapshot().unreadIds).toEqual([2]);
    // Marked unread, it stays unread when the marker moves or its conversation is read…
    expect(counter.markReadUpTo(50)).toBe(false);
    expect(counter.markConversationRead({ conversationId: '7', messageId: 99 })).toBe(false);
    expect(counter.count).toBe(1);
    // …until it is marked read again.
    expect(counter.mark([2], true, 102)).toBe(true);
    expect(counter.count).toBe(0);
  });

  it('a mark that came before its notification (the marks loaded at sign-in) applies when it arrives', () => {
    const counter = new UnreadCounter();
    counter.markReadUpTo(5);
    counter.loadMarks(
      [
        { id: 4, read: false },
        { id: 8, read: true },
      ],
      20,
    );
    expect(counter.add(notice(4))).toBe(true);
    expect(counter.add(notice(8))).toBe(false);
    expect(counter.add(notice(9))).toBe(true);
    expect(counter.snapshot().unreadIds).toEqual([4, 9]);
  });

  it('a replayed mark older than the marks loaded over REST does not put the older state back', () => {
    const counter = new UnreadCounter();
    counter.add(notice(1));
    counter.loadMarks([{ id: 1, read: true }], 30);
    expect(counter.count).toBe(0);
    // The stream then replays a mark made before the loaded ones (id 25 ≤ 30): already in them.
    expect(counter.mark([1], false, 25)).toBe(false);
    expect(counter.count).toBe(0);
    expect(counter.mark([1], false, 31)).toBe(true);
    expect(counter.count).toBe(1);
  });

  it('keeps read notifications and marks across a restart, so a later mark still finds its notification', () => {
    const counter = new UnreadCounter();
    counter.add(notice(1));
    counter.add(notice(2));
    counter.mark([2], false, 10);
    counter.markReadUpTo(2);
    const restored = new UnreadCounter(counter.snapshot());
    expect(restored.snapshot().unreadIds).toEqual([2]);
    expect(restored.markReadUpTo(9)).toBe(false);
    expect(restored.count).toBe(1);
    expect(restored.mark([1], false, 11)).toBe(true);
    expect(restored.snapshot().unreadIds).toEqual([1, 2]);
  });
});
