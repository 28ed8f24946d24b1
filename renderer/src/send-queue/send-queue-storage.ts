import { queuedMessages, type QueuedMessage } from './queued-message.js';

export interface SendQueueStorage {
  load(): QueuedMessage[];
  save(items: readonly QueuedMessage[]): void;
}

/**
 * The queue of one signed-in person in this tab's sessionStorage: it survives a reload (and a
 * crash of the page), but not closing the tab, so message text does not linger on a shared
 * workstation, and two tabs never overwrite each other's queue.
 */
export function sessionSendQueueStorage(
  userId: number,
  storage: Storage | null = safeSessionStorage(),
): SendQueueStorage {
  const key = `clinicpulse.sendQueue.${userId}`;
  return {
    load() {
      const raw = storage?.getItem(key);
      if (!raw) return [];
      try {
        const parsed = queuedMessages.safeParse(JSON.parse(raw));
        // Whatever was on its way when the page went away is sent again, under the same id.
        return parsed.success
          ? parsed.data.map((item) =>
              item.status === 'sending' ? { ...item, status: 'queued' } : item,
            )
          : [];
      } catch {
        return [];
      }
    },
    save(items) {
      try {
        if (items.length === 0) storage?.removeItem(key);
        else storage?.setItem(key, JSON.stringify(items));
      } catch {
        // A full or disabled storage leaves the queue in memory only: it still sends.
      }
    },
  };
}

function safeSessionStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
