import type { PreviewLevel } from './desktop-bridge.js';
import type { NotifyingEvent } from './events.js';

export const APP_TITLE = 'ClinicPulse';
const MAX_BODY_LENGTH = 180;

export interface PreviewText {
  title: string;
  body: string;
}

export type TimeFormatter = (isoTime: string) => string;

/** Local wall-clock time ("14:00"), or the raw text when it is not a date. */
export const formatLocalTime: TimeFormatter = (isoTime) => {
  const date = new Date(isoTime);
  if (Number.isNaN(date.getTime())) return isoTime;
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
};

/**
 * The words of one pop-up at a preview level. Messages in a clinic may name patients and
 * pop-ups show on screens patients can see, so below `sender_and_text` no message text or
 * reminder content is shown, and `count_only` does not even say who wrote. A system notice is
 * the clinic speaking to its staff (a fire drill, a closure), not patient data: its text shows
 * unless the desk chose `count_only`. A message in a titled (group) conversation names it.
 */
export function previewFor(
  event: NotifyingEvent,
  level: PreviewLevel,
  formatTime: TimeFormatter = formatLocalTime,
): PreviewText {
  switch (event.type) {
    case 'new_message': {
      const urgent = event.priority === 'urgent';
      const body = urgent ? 'New urgent message' : 'New message';
      if (level === 'count_only') return { title: APP_TITLE, body };
      const sender = plain(event.sender);
      const conversation = plain(event.conversation_title ?? '');
      const where = conversation
        ? sender
          ? `${sender} in ${conversation}`
          : conversation
        : sender || 'New message';
      return {
        title: `${urgent ? 'Urgent: ' : ''}${where}`,
        body: level === 'sender_and_text' ? excerpt(event.text) : body,
      };
    }
    case 'appointment_reminder': {
      const when = `Appointment at ${formatTime(event.time)}`;
      if (level === 'count_only')
        return { title: 'Appointment reminder', body: 'Open ClinicPulse for details' };
      return {
        title: 'Appointment reminder',
        body:
          level === 'sender_and_text' && event.content
            ? `${when}: ${excerpt(event.content)}`
            : when,
      };
    }
    case 'system_notification':
      return {
        title: APP_TITLE,
        body: level === 'count_only' ? 'New notice from the clinic' : excerpt(event.content),
      };
  }
}

/** One pop-up for many events: counts always, and who wrote unless the level is `count_only`. */
export function summaryFor(events: readonly NotifyingEvent[], level: PreviewLevel): PreviewText {
  const messages = events.filter((event) => event.type === 'new_message');
  const others = events.length - messages.length;
  const parts: string[] = [];
  if (messages.length > 0) parts.push(countOf(messages.length, 'new message'));
  if (others > 0)
    parts.push(countOf(others, messages.length > 0 ? 'other notification' : 'new notification'));
  const counted = parts.join(' and ');
  if (level === 'count_only' || messages.length === 0) return { title: APP_TITLE, body: counted };
  return {
    title: APP_TITLE,
    body: `${counted} from ${senderList(messages.map((message) => plain(message.sender)))}`,
  };
}

function senderList(senders: readonly string[]): string {
  const distinct = [...new Set(senders.filter((sender) => sender.length > 0))];
  if (distinct.length === 0) return 'your colleagues';
  if (distinct.length === 1) return distinct[0] ?? '';
  if (distinct.length === 2) return `${distinct[0]} and ${distinct[1]}`;
  const rest = distinct.length - 2;
  return `${distinct[0]}, ${distinct[1]} and ${countOf(rest, 'other')}`;
}

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Control characters out, whitespace runs folded: a pop-up is one short paragraph. */
function plain(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

function excerpt(text: string): string {
  const flat = plain(text);
  return flat.length <= MAX_BODY_LENGTH ? flat : `${flat.slice(0, MAX_BODY_LENGTH - 1).trimEnd()}…`;
}
