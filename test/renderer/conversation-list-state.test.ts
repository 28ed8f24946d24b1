import { describe, expect, it } from 'vitest';
import {
  applyConversationRead,
  applyIncomingMessage,
} from '../../renderer/src/messages/conversation-list-state.js';
import { ME } from './support/fake-desktop-bridge.js';
import { conversationRead } from './support/frames.js';
import { conversation, message } from './support/render-app.js';

const list = [
  conversation(8, { lastMessage: message(5, { conversationId: 8 }), unreadCount: 2 }),
  conversation(7, { lastMessage: message(2), unreadCount: 0 }),
];
const unread = (conversations: typeof list | null) =>
  conversations?.map((item) => [item.id, item.unreadCount]);

describe('the conversation list, after a read on some desk', () => {
  it('clears the count when the read reached the last message', () => {
    expect(unread(applyConversationRead(list, conversationRead(1, '8', '5')))).toEqual([
      [8, 0],
      [7, 0],
    ]);
    expect(unread(applyConversationRead(list, conversationRead(1, '8', '6')))).toEqual([
      [8, 0],
      [7, 0],
    ]);
  });

  it('cannot tell the count when the read stopped below the last message', () => {
    expect(applyConversationRead(list, conversationRead(1, '8', '4'))).toBeNull();
  });

  it('has nothing to change where nothing was unread', () => {
    expect(applyConversationRead(list, conversationRead(1, '7', '1'))).toBe(list);
  });

  it('cannot tell for a conversation it does not hold, or an id that is not one', () => {
    expect(applyConversationRead(list, conversationRead(1, '42', '9'))).toBeNull();
    expect(applyConversationRead(list, conversationRead(1, '8', 'abc'))).toBeNull();
  });
});

describe('the conversation list, after a message', () => {
  const own = message(6, { conversationId: 7, senderId: ME.id, createdAt: '2025-01-20T11:00:00Z' });

  it("takes the user's own message as read up to it", () => {
    const next = applyIncomingMessage(list, own, 'clear');
    expect(next?.map((item) => item.id)).toEqual([7, 8]);
    expect(next?.[0]?.lastMessage).toBe(own);
    expect(unread(applyIncomingMessage(list, { ...own, conversationId: 8 }, 'clear'))).toEqual([
      [8, 0],
      [7, 0],
    ]);
  });

  it('changes nothing for a message not newer than the last one', () => {
    expect(applyIncomingMessage(list, message(4, { conversationId: 8 }), 'clear')).toBe(list);
  });
});
