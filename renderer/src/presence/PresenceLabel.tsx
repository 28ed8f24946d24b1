import { PRESENCE_LABELS } from '../../../common/presence.js';
import { usePresence } from './PresenceProvider.js';

/** "● Busy" beside a colleague's name: a dot for the eye and the word for everyone. */
export function PresenceLabel({ userId }: { userId: number }) {
  const status = usePresence().statusOf(userId);
  if (status === null) return null;
  return (
    <span className={`presence presence--${status}`} data-testid="presence" data-status={status}>
      <span className="presence__dot" aria-hidden="true" />
      {PRESENCE_LABELS[status]}
    </span>
  );
}
