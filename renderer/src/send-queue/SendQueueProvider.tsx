import {
  createContext,
  useContext,
  useEffect,
  useEffectEvent,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import type { Message } from '../../../common/api.js';
import { useSession } from '../app/session-context.js';
import { useEvents } from '../events/useEvents.js';
import type { QueuedMessage } from './queued-message.js';
import { SendQueue } from './send-queue.js';
import { sessionSendQueueStorage } from './send-queue-storage.js';

const SendQueueContext = createContext<SendQueue | null>(null);

/**
 * The signed-in person's unsent messages, for every conversation: sent in order as soon as the
 * server answers, whichever page is open.
 */
export function SendQueueProvider({ children }: { children: ReactNode }) {
  const { api, user, platform } = useSession();
  const [queue] = useState(
    () =>
      new SendQueue({
        send: async (conversationId, body) => (await api.sendMessage(conversationId, body)).message,
        storage: sessionSendQueueStorage(user.id),
      }),
  );

  useEffect(() => {
    queue.start();
    const kick = () => queue.kick();
    window.addEventListener('online', kick);
    return () => {
      window.removeEventListener('online', kick);
      queue.stop();
    };
  }, [queue]);

  // Closing a browser tab would lose what is still queued; ask first. (Electron has no such
  // prompt: it would silently keep the app from quitting.)
  useEffect(() => {
    if (platform.kind !== 'browser') return;
    const warn = (event: BeforeUnloadEvent) => {
      if (queue.messages.length > 0) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [platform, queue]);

  useEvents({
    onConnectionChange: (state) => {
      if (state.status === 'connected') queue.kick();
    },
    onMessageSent: (event) => {
      if (event.client_message_id) queue.confirm(event.client_message_id);
    },
  });

  return <SendQueueContext.Provider value={queue}>{children}</SendQueueContext.Provider>;
}

export function useSendQueue(): SendQueue {
  const queue = useContext(SendQueueContext);
  if (!queue) throw new Error('useSendQueue must be used inside <SendQueueProvider>');
  return queue;
}

/** Every unsent message, oldest first, re-rendering as they change. */
export function useQueuedMessages(): readonly QueuedMessage[] {
  const queue = useSendQueue();
  return useSyncExternalStore(queue.onChange, () => queue.messages);
}

/** Calls `listener` with the server's copy of each message the queue got through. */
export function useSentMessages(listener: (message: Message) => void): void {
  const queue = useSendQueue();
  const handle = useEffectEvent(listener);
  useEffect(() => queue.onSent((message) => handle(message)), [queue]);
}
