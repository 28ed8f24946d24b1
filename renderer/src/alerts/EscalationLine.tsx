import { formatWhen } from '../lib/format.js';
import { useMessageAlert } from './ConversationAlerts.js';
import { escalationLine } from './escalation-wording.js';

/** Under an urgent message, for everyone in the conversation: its repeats, then its escalation. */
export function EscalationLine({ messageId }: { messageId: number }) {
  const status = useMessageAlert(messageId);
  const line = status ? escalationLine(status, formatWhen) : null;
  if (!line) return null;
  return (
    <p className="escalation-line" data-testid="escalation-line">
      {line}
    </p>
  );
}
