import type { ConnectionState } from '../../../common/desktop-bridge.js';
import { useEventHub } from '../events/EventsProvider.js';
import { useEvents } from '../events/useEvents.js';
import { useNow } from '../hooks/useNow.js';

function label(state: ConnectionState, now: number): string {
  switch (state.status) {
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return 'Connected';
    case 'reconnecting': {
      if (state.nextRetryAt === null) return 'Reconnecting…';
      const seconds = Math.max(0, Math.ceil((state.nextRetryAt - now) / 1000));
      return seconds === 0 ? 'Reconnecting…' : `Reconnecting in ${seconds} s`;
    }
    case 'offline':
      return 'Offline';
    case 'signed_out':
      return 'Signed out';
  }
}

const ANNOUNCED: Record<ConnectionState['status'], string> = {
  connecting: 'Connecting to the clinic server',
  connected: 'Connected to the clinic server',
  reconnecting: 'Connection lost, reconnecting',
  offline: 'Offline',
  signed_out: 'Signed out',
};

/**
 * The state of the event connection as it is, not as hoped: "Connected" only once the server
 * accepted the stream, the exact time of the next try while reconnecting.
 */
export function ConnectionIndicator() {
  const hub = useEventHub();
  const { connection } = useEvents({});
  const now = useNow(connection.nextRetryAt === null ? null : 500);
  const canRetry =
    hub.retryNow !== null &&
    (connection.status === 'reconnecting' || connection.status === 'offline');

  return (
    <div className="connection" data-testid="connection-indicator" data-status={connection.status}>
      <span className="connection__dot" aria-hidden="true" />
      <span className="connection__label" title={connection.detail ?? undefined}>
        {label(connection, now)}
      </span>
      {/* The countdown ticks; only the change of state is announced. */}
      <span className="visually-hidden" role="status">
        {ANNOUNCED[connection.status]}
        {connection.detail ? `. ${connection.detail}` : ''}
      </span>
      {canRetry && (
        <button type="button" className="button button--small" onClick={() => hub.retryNow?.()}>
          Retry now
        </button>
      )}
    </div>
  );
}
