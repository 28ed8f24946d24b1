import type { AlertStatus } from '../../../common/alerts.js';
import type { TimeFormatter } from './receipt-wording.js';

/**
 * Where an urgent alert stands in its repeats and escalation: "Escalated to on-duty nurses at
 * 10:48 (Nurse Kim Park)", "Repeat 2 of 3 sent · next at 10:46"; null when there is nothing to say.
 */
export function escalationLine(status: AlertStatus, time: TimeFormatter): string | null {
  const { escalation, repeats } = status;
  if (escalation) {
    if (escalation.failure !== null)
      return `Escalation to ${escalation.target} at ${time(escalation.at)} reached nobody: ${escalation.failure}`;
    return `Escalated to ${escalation.target} at ${time(escalation.at)} (${escalation.recipients.join(', ')})`;
  }
  if (status.acknowledged || repeats.sent === 0) return null;
  const next = status.nextStepAt === null ? '' : ` · next at ${time(status.nextStepAt)}`;
  return `Repeat ${repeats.sent} of ${repeats.planned} sent${next}`;
}
