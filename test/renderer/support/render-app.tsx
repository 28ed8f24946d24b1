import { render } from '@testing-library/react';
import type { Conversation, Message } from '../../../common/api.js';
import { App } from '../../../renderer/src/App.js';
import { createDesktopPlatform } from '../../../renderer/src/platform/desktop-platform.js';
import { ME, PATEL, type FakeDesktopBridge } from './fake-desktop-bridge.js';

/** The whole renderer, in the desktop app's shape, at a route. */
export function renderApp(bridge: FakeDesktopBridge, hash: string) {
  window.location.hash = hash;
  return render(<App platform={createDesktopPlatform(bridge)} />);
}

export function message(id: number, fields: Partial<Message> = {}): Message {
  return {
    id,
    conversationId: 7,
    senderId: PATEL.id,
    senderName: PATEL.displayName,
    text: `message ${id}`,
    createdAt: '2025-01-20T10:30:00Z',
    clientMessageId: null,
    priority: 'routine',
    alertId: null,
    ...fields,
  };
}

export function conversation(id: number, fields: Partial<Conversation> = {}): Conversation {
  return {
    id,
    title: null,
    participants: [ME, PATEL],
    lastMessage: null,
    unreadCount: 0,
    updatedAt: '2025-01-20T09:00:00Z',
    ...fields,
  };
}

/**
 * jsdom lays nothing out, so every element is 0 px tall and a virtualised list shows no rows.
 * Gives the message list's scroll area the size a window would; returns the undo.
 */
export function giveMessageListASize(height = 600, width = 800): () => void {
  const prototype = HTMLElement.prototype;
  const original = {
    clientHeight: Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight'),
    clientWidth: Object.getOwnPropertyDescriptor(Element.prototype, 'clientWidth'),
  };
  const sized = (size: number, fallback: PropertyDescriptor | undefined) => ({
    configurable: true,
    get(this: HTMLElement) {
      if (this.classList.contains('thread__scroll')) return size;
      return (fallback?.get?.call(this) as number | undefined) ?? 0;
    },
  });
  Object.defineProperty(prototype, 'clientHeight', sized(height, original.clientHeight));
  Object.defineProperty(prototype, 'clientWidth', sized(width, original.clientWidth));
  return () => {
    Reflect.deleteProperty(prototype, 'clientHeight');
    Reflect.deleteProperty(prototype, 'clientWidth');
  };
}
