import { formatSseFrame } from '../../common/sse.js';

/**
 * Events are stored and published as JSON that starts with `{"id":<n>,"type":"<type>"` (the
 * publish script puts the id first). Reading the id from the prefix lets the server route and
 * frame an event without parsing its JSON, once per event rather than once per stream.
 *
 * An event's frame has no `event:` line: its type is in its data, as in the original system, so
 * a client reading `onmessage` (the original frontend) and one dispatching on `data.type` (ours)
 * read the same frame. Only control frames (`ready`, `resync`) are named.
 */
const PREFIX = /^\{"id":(\d+),"type":"[a-z_]+"/;
/** A payload as published, before the script puts its id in front. */
const BODY_PREFIX = /^\{"type":"[a-z_]+"/;

export interface StoredEvent {
  id: number;
  /** The complete SSE frame, shared by every stream that receives this event. */
  frame: string;
}

export function frameStoredEvent(json: string): StoredEvent | null {
  const match = PREFIX.exec(json);
  if (!match) return null;
  const id = Number(match[1]);
  return { id, frame: formatSseFrame({ id, data: json }) };
}

/**
 * For one payload stored under many ids (a fan-out gives each user their own): frames
 * `{"id":<id>,` + the body after its `{` — the JSON the script stored — exactly as
 * frameStoredEvent would, with the body's share of the frame built once rather than per user.
 * Null when the body does not start with its type.
 */
export function storedEventFramer(body: string): ((id: string) => StoredEvent) | null {
  if (!BODY_PREFIX.test(body)) return null;
  // The id prefix holds no line break, so the data lines after it are the body's own.
  const afterId = formatSseFrame({ data: body.slice(1) }).slice('data: '.length);
  const beforeId = `\ndata: {"id":`;
  return (id) => ({ id: Number(id), frame: `id: ${id}${beforeId}${id},${afterId}` });
}
