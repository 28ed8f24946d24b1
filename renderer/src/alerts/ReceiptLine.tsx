import { formatWhen } from '../lib/format.js';
import { acknowledgementLine, countsLine, deskLine, recipientLine } from './receipt-wording.js';
import { useMessageAlert } from './ConversationAlerts.js';

/**
 * Under the sender's own message: what became of it for each recipient and on each desk,
 * from "Delivered" through "Shown on 2 desks" or "Held: do not disturb" to "Read 10:42" and
 * "Acknowledged 10:43 by Nurse Ben Jones".
 */
export function ReceiptLine({ messageId }: { messageId: number }) {
  const status = useMessageAlert(messageId);
  if (!status) return null;
  const single = status.recipients.length === 1;
  return (
    <div className="receipt-line" data-testid="receipt-line" aria-live="polite">
      {status.acknowledged && (
        <p className="receipt-line__ack">{acknowledgementLine(status.acknowledged, formatWhen)}</p>
      )}
      {status.recipients.length === 0 && <p>{countsLine(status)}</p>}
      <ul className="receipt-line__recipients">
        {status.recipients.map((recipient) => (
          <li
            key={recipient.userId}
            data-testid="receipt-recipient"
            data-user-id={recipient.userId}
          >
            <span data-testid="receipt-summary">
              {single ? '' : `${recipient.displayName}: `}
              {recipientLine(recipient, formatWhen)}
            </span>
            {recipient.desks.length > 0 && (
              <ul className="receipt-line__desks">
                {recipient.desks.map((desk) => (
                  <li key={desk.deskId} data-testid="receipt-desk">
                    {deskLine(desk, formatWhen)}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
