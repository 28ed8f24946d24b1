import { useState } from 'react';
import type { ConnectionStatus } from '../../../common/desktop-bridge.js';
import { useEventHub } from '../events/EventsProvider.js';
import { useEvents } from '../events/useEvents.js';
import { useNow } from '../hooks/useNow.js';
import { formatWhen } from '../lib/format.js';
import { useQueuedMessages } from '../send-queue/SendQueueProvider.js';

function isDown(status: ConnectionStatus): boolean {
  return status === 'reconnecting' || status === 'offline';
}

/** A blip this short is the pill's business; past it, the page says so plainly. */
export const OUTAGE_NOTICE_AFTER_MS = 5_000;

/**
 * When the event connection has been down for more than a few seconds, a banner across the
 * page: since when, what it means for the person (nothing new arrives; what they write waits),
 * and a way to try again. The small indicator in the top bar is easy to miss during a shift.
 */
export function OutageBanner() {
  const hub = useEventHub();
  const [downSince, setDownSince] = useState<number | null>(() =>
    isDown(hub.connection.status) ? Date.now() : null,
  );
  const { connection } = useEvents({
    onConnectionChange: (state) =>
      setDownSince((since) => (isDown(state.status) ? (since ?? Date.now()) : null)),
  });
  const queued = useQueuedMessages();
  const down = isDown(connection.status);
  const now = useNow(down ? 1_000 : null);

  if (!down || downSince === null || now - downSince < OUTAGE_NOTICE_AFTER_MS) return null;
  const since = formatWhen(new Date(downSince).toISOString());
  const waiting = queued.filter((item) => item.status !== 'failed').length;
  return (
    <div className="outage" role="alert" data-testid="outage-banner">
      <p className="outage__title">
        {connection.status === 'offline'
          ? `This computer has been offline since ${since}.`
          : `No connection to the clinic server since ${since}.`}
      </p>
      <p className="outage__detail">
        New messages, reminders and notices cannot arrive until it is back; ClinicPulse keeps trying
        and catches up by itself.
        {waiting > 0 &&
          ` ${waiting === 1 ? '1 message you wrote is' : `${waiting} messages you wrote are`} queued and will be sent then.`}
      </p>
      {hub.retryNow && (
        <button type="button" className="button button--small" onClick={() => hub.retryNow?.()}>
          Try now
        </button>
      )}
    </div>
  );
}
