import type { Conversation } from '../../../common/api.js';
import { formatWhen, machineTime } from '../lib/format.js';
import { conversationTitle } from './conversation-list-state.js';

interface ConversationListProps {
  conversations: Conversation[];
  selectedId: number | null;
  myId: number;
}

export function ConversationList({ conversations, selectedId, myId }: ConversationListProps) {
  if (conversations.length === 0) {
    return <p className="empty muted">No conversations yet. Start one with a colleague.</p>;
  }
  return (
    <ul className="conversation-list" aria-label="Conversations">
      {conversations.map((conversation) => {
        const title = conversationTitle(conversation, myId);
        const last = conversation.lastMessage;
        const unread = conversation.unreadCount;
        return (
          <li key={conversation.id}>
            <a
              className={unread > 0 ? 'conversation conversation--unread' : 'conversation'}
              href={`#/conversations/${conversation.id}`}
              aria-current={conversation.id === selectedId ? 'page' : undefined}
              data-testid="conversation-item"
              data-conversation-id={conversation.id}
            >
              <span className="conversation__top">
                <span className="conversation__title">{title}</span>
                {last && (
                  <time className="conversation__time" dateTime={machineTime(last.createdAt)}>
                    {formatWhen(last.createdAt)}
                  </time>
                )}
              </span>
              <span className="conversation__bottom">
                <span className="conversation__preview">
                  {last
                    ? `${last.senderId === myId ? 'You' : last.senderName}: ${last.deleted ? 'Message deleted' : last.text}`
                    : 'No messages yet'}
                </span>
                {unread > 0 && (
                  <span
                    className="badge"
                    data-testid="unread-count"
                    aria-label={`${unread} unread`}
                  >
                    {unread}
                  </span>
                )}
              </span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}
