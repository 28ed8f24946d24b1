import { formatSseFrame } from '../../common/sse.js';
import { bodyChunk, type BodyPiece } from './chunked-body.js';

/**
 * Events are stored and published as JSON that starts with `{"id":<n>,"type":"<type>"` (the
 * publish script puts the id first). Reading the id from the prefix lets the server route and
 * frame an event without parsing its JSON, once per event rather than once per stream.
 *
 * An event's frame has no `event:` line: its type is in its data, as in the original system, so
 * a client reading `onmessage` (the original frontend) and one dispatching on `data.type` (ours)
 * read the same frame. Only control frames (`ready`, `resync`) are named.
 */
const PREFIX = /^\{"id":(\d+),"type":"[a-z_]+"(?:,"replaces":(\d+))?/;
/** A payload as published, before the script puts its id in front. */
const BODY_PREFIX = /^\{"type":"[a-z_]+"/;

/** The SSE frame (`frame`) and the same as a chunk of a stream's body (`chunk`), shared by every stream. */
export interface StoredEvent extends BodyPiece {
  id: number;
  /** Set on an event published again after Redis lost it: the id it had first (see `asCopyOf`). */
  replaces?: number;
}

export function frameStoredEvent(json: string): StoredEvent | null {
  const match = PREFIX.exec(json);
  if (!match) return null;
  const id = Number(match[1]);
  const frame = formatSseFrame({ id, data: json });
  const event: StoredEvent = { id, frame, chunk: bodyChunk(frame) };
  if (match[2] !== undefined) event.replaces = Number(match[2]);
  return event;
}

/**
 * A published body marked as a copy of the event that had `firstId` before Redis lost it:
 * `"replaces":<firstId>` right after the type, where the stream (and the snapshot script) read
 * it without parsing the JSON. A client that already has every event up to `firstId` is not sent
 * the copy: it had the event under its first id (stream-session.ts, the snapshot in lua.ts).
 */
export function asCopyOf(body: string, firstId: number): string {
  const type = BODY_PREFIX.exec(body);
  if (!type || !Number.isSafeInteger(firstId) || firstId <= 0) throw new Error('not a published body and an event id');
  return `${type[0]},"replaces":${firstId}${body.slice(type[0].length)}`;
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
  // Ids are ASCII digits: the frame's UTF-8 length is the body's share plus twice the id's.
  const fixedBytes = Buffer.byteLength(`id: ${beforeId},${afterId}`);
  return (id) => {
    const frame = `id: ${id}${beforeId}${id},${afterId}`;
    return { id: Number(id), frame, chunk: bodyChunk(frame, fixedBytes + 2 * id.length) };
  };
}
