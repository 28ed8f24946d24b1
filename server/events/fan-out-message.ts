import { storedEventFramer, type StoredEvent } from './stored-event.js';

/**
 * What one fan-out batch publishes on the shared channel (publishManyScript in lua.ts writes it): the
 * recipients as `userId:id` pairs joined by commas, a newline, then the payload JSON without id,
 *
 *   12:1764235200000001,57:1764235187000042\n{"type":"system_notification","content":"…",…}
 *
 * User `12` stored `{"id":1764235200000001,"type":"system_notification",…}`. JSON holds no raw
 * line break, so the first newline ends the header, and the header is read by position: the
 * message is never parsed as JSON, and a user without a stream here costs one Map lookup.
 */
const RECIPIENTS = /^\d+:\d+(?:,\d+:\d+)*$/;

export interface FanOutMessage {
  /** Each recipient in publish order; a user listed twice got two events, in id order. */
  forEachRecipient(visit: (userId: string, eventId: string) => void): void;
  /** The event as stored under `eventId`, framed byte for byte as its replay is. */
  eventFor(eventId: string): StoredEvent;
}

export function readFanOutMessage(message: string): FanOutMessage | null {
  const newline = message.indexOf('\n');
  if (newline < 0) return null;
  const recipients = message.slice(0, newline);
  const eventFor = storedEventFramer(message.slice(newline + 1));
  if (!eventFor || !RECIPIENTS.test(recipients)) return null;
  return { forEachRecipient: (visit) => forEachRecipient(recipients, visit), eventFor };
}

/** Reads the `userId:id,…` header; the publish script also returns it as the ids it handed out. */
export function forEachRecipient(recipients: string, visit: (userId: string, eventId: string) => void): void {
  for (const pair of recipients.split(',')) {
    const colon = pair.indexOf(':');
    visit(pair.slice(0, colon), pair.slice(colon + 1));
  }
}
