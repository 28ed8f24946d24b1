import { formatWhen } from '../lib/format.js';
import { useMessageAlert } from './ConversationAlerts.js';
import { acknowledgementLine } from './receipt-wording.js';
import { useAcknowledge } from './useAcknowledge.js';

/**
 * Under a colleague's urgent message: "Acknowledge" until someone has, then who did and when.
 * Acknowledging stops the alert on every desk of every recipient and tells the sender.
 */
export function AcknowledgeAction({ alertId, messageId }: { alertId: number; messageId: number }) {
  const status = useMessageAlert(messageId);
  const { acknowledge, pending, error } = useAcknowledge();
  if (status?.acknowledged) {
    return (
      <p className="acknowledge-action acknowledge-action--done" data-testid="acknowledged">
        {acknowledgementLine(status.acknowledged, formatWhen)}
      </p>
    );
  }
  return (
    <div className="acknowledge-action">
      <button
        type="button"
        className="button button--small button--primary"
        disabled={pending.has(alertId)}
        onClick={() => void acknowledge(alertId)}
      >
        {pending.has(alertId) ? 'Acknowledging…' : 'Acknowledge'}
      </button>
      {error && (
        <span className="form-error" role="alert">
          Not acknowledged: {error}
        </span>
      )}
    </div>
  );
}
