import { formatSseFrame } from '../../common/sse.js';

/**
 * Events are stored and published as JSON that starts with `{"id":<n>,"type":"<type>"` (the
 * publish script puts the id first). Reading those two fields from the prefix lets the server
 * route and frame an event without parsing its JSON, once per event rather than once per stream.
 */
const PREFIX = /^\{"id":(\d+),"type":"([a-z_]+)"/;

export interface StoredEvent {
  id: number;
  /** The complete SSE frame, shared by every stream that receives this event. */
  frame: string;
}

export function frameStoredEvent(json: string): StoredEvent | null {
  const match = PREFIX.exec(json);
  if (!match) return null;
  const id = Number(match[1]);
  return { id, frame: formatSseFrame({ id, event: match[2], data: json }) };
}
