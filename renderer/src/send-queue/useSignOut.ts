import { useCallback } from 'react';
import { useSession } from '../app/session-context.js';
import { useSendQueue } from './SendQueueProvider.js';

/**
 * Signing out on purpose forgets this tab's unsent messages, so their text does not stay on a
 * shared workstation for the next person; when there are some, the person is asked first.
 */
export function useSignOut(): () => void {
  const { signOut } = useSession();
  const queue = useSendQueue();
  return useCallback(() => {
    const waiting = queue.messages.length;
    if (
      waiting > 0 &&
      !window.confirm(
        `${waiting === 1 ? '1 message is' : `${waiting} messages are`} not sent yet. Sign out and discard ${waiting === 1 ? 'it' : 'them'}?`,
      )
    )
      return;
    queue.discardAll();
    signOut();
  }, [queue, signOut]);
}
