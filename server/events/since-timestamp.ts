import { formatSseFrame } from '../../common/sse.js';
import type { Replay } from './event-history.js';

/** An event entry of a history list: ClinicPulse puts its id first. */
const EVENT_PREFIX = /^\{"id":(\d+),"type":"[a-z_]+"/;

interface Entry {
  id: string;
  json: string;
}

/**
 * The original system's client resumes with `?since=<timestamp of the last event it received>`
 * and no id; the original server then replayed the events whose timestamp is after it.
 * Timestamps do not always grow along a history (a message relayed late, an event adopted from
 * the original publisher, which keeps its own timestamp, or one re-published after Redis lost it),
 * so where the history still holds the event carrying that timestamp, the replay is everything
 * after that event, in id order: exactly what the client missed. Only where it does not (the
 * event expired, or the client made the timestamp up) does the original's rule apply: events
 * whose timestamp is later. Should two events carry the same timestamp, the first is taken: the
 * client may be shown the second again rather than miss it.
 *
 * A `+` in a timestamp (`+00:00`) reaches the server as a space when the client put it in the
 * URL unencoded, as the original client does; such a timestamp still matches.
 *
 * The original client reconnects like this on every re-render of its page, so the usual case
 * (the event is there) parses only the entries that contain the timestamp's text.
 */
export function replayAfterTimestamp(entries: readonly string[], since: string): Replay {
  const events: Entry[] = [];
  for (const json of entries) {
    const match = EVENT_PREFIX.exec(json);
    if (match) events.push({ id: match[1]!, json });
  }
  // Its longest piece without a space, which was a space or a `+` in the event.
  const needle = since.split(' ').reduce((longest, piece) => (piece.length > longest.length ? piece : longest));
  const seen = events.findIndex(({ json }) => json.includes(needle) && sameTimestamp(timestampOf(json), since));
  return replayOf(seen === -1 ? events.filter(({ json }) => isLater(timestampOf(json), since)) : events.slice(seen + 1));
}

function replayOf(missed: Entry[]): Replay {
  return {
    frames: missed.map((event) => formatSseFrame({ id: event.id, data: event.json })).join(''),
    count: missed.length,
    lastId: missed.length === 0 ? null : Number(missed.at(-1)!.id),
  };
}

function timestampOf(json: string): unknown {
  try {
    return (JSON.parse(json) as { timestamp?: unknown }).timestamp;
  } catch {
    return undefined;
  }
}

function sameTimestamp(timestamp: unknown, since: string): boolean {
  if (typeof timestamp !== 'string' && typeof timestamp !== 'number') return false;
  const text = String(timestamp);
  return text === since || text.replaceAll('+', ' ') === since;
}

/**
 * Whether `timestamp` is after `since`: compared as instants when both read as one (ISO 8601,
 * or seconds since the epoch as the original's `str(time.time())` writes them), otherwise as
 * text, as the original server compared them.
 */
function isLater(timestamp: unknown, since: string): boolean {
  if (typeof timestamp !== 'string' && typeof timestamp !== 'number') return false;
  const text = String(timestamp);
  const [at, sinceAt] = [instantOf(text), instantOf(since)];
  if (at !== null && sinceAt !== null) return at > sinceAt;
  return text > since;
}

const EPOCH_SECONDS = /^\d{9,11}(\.\d+)?$/;

function instantOf(text: string): number | null {
  if (EPOCH_SECONDS.test(text)) return Number(text) * 1000;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
