import {
  HOLD_REASON_LABELS,
  type Acknowledgement,
  type AlertStatus,
  type DeskStatus,
  type RecipientStatus,
} from '../../../common/alerts.js';

export type TimeFormatter = (iso: string) => string;

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** "Acknowledged 10:43 by Nurse Ben Jones". */
export function acknowledgementLine(ack: Acknowledgement, time: TimeFormatter): string {
  return `Acknowledged ${time(ack.at)} by ${ack.displayName}`;
}

/** "Delivered · Shown on 2 desks · Read 10:42", "Held: do not disturb". */
export function recipientLine(recipient: RecipientStatus, time: TimeFormatter): string {
  const shown = recipient.desks.filter((desk) => desk.shownAt !== null);
  const held = recipient.desks.filter((desk) => desk.shownAt === null && desk.heldAt !== null);
  const parts: string[] = [];
  if (recipient.deliveredAt === null && recipient.desks.length === 0)
    parts.push('Not delivered yet');
  else parts.push('Delivered');
  if (shown.length > 0) {
    const overDoNotDisturb = shown.some((desk) => desk.overDoNotDisturb);
    parts.push(
      `Shown on ${plural(shown.length, 'desk')}${overDoNotDisturb ? ' (over do-not-disturb)' : ''}`,
    );
  }
  if (held.length > 0) {
    const reasons = [
      ...new Set(
        held.map((desk) => (desk.heldReason ? HOLD_REASON_LABELS[desk.heldReason] : 'held')),
      ),
    ].join(', ');
    parts.push(
      shown.length === 0 && held.length === 1
        ? `Held: ${reasons}`
        : `Held on ${plural(held.length, 'desk')}: ${reasons}`,
    );
  }
  if (recipient.readAt !== null) parts.push(`Read ${time(recipient.readAt)}`);
  if (recipient.acknowledgedAt !== null)
    parts.push(`Acknowledged ${time(recipient.acknowledgedAt)}`);
  return parts.join(' · ');
}

/** "Nurses' station PC: shown 10:41 (over do-not-disturb)", "Ward laptop: held 10:41: do not disturb". */
export function deskLine(desk: DeskStatus, time: TimeFormatter): string {
  if (desk.shownAt !== null)
    return `${desk.deskName}: shown ${time(desk.shownAt)}${desk.overDoNotDisturb ? ' (over do-not-disturb)' : ''}`;
  if (desk.heldAt !== null)
    return `${desk.deskName}: held ${time(desk.heldAt)}: ${desk.heldReason ? HOLD_REASON_LABELS[desk.heldReason] : 'held'}`;
  return `${desk.deskName}: delivered ${time(desk.deliveredAt ?? '')}`;
}

/** For many recipients, or a viewer who sees only the counts: "Delivered to 3 of 5 · Shown to 2 · Read by 1". */
export function countsLine(status: AlertStatus): string {
  const { recipients, delivered, shown, held, read } = status.counts;
  const parts = [`Delivered to ${delivered} of ${recipients}`];
  if (shown > 0) parts.push(`Shown to ${shown}`);
  if (held > 0) parts.push(`Held for ${held}`);
  if (read > 0) parts.push(`Read by ${read}`);
  return parts.join(' · ');
}
