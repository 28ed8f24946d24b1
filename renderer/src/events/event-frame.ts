import {
  STREAM_EVENT_FRAME,
  controlEvent,
  streamEvent,
  type ControlEvent,
  type StreamEvent,
} from '../../../common/events.js';

/** Anything the event source delivers: a numbered event, or a control frame (`resync`, `ready`). */
export type EventFrame = StreamEvent | ControlEvent;

export function isStreamEvent(frame: EventFrame): frame is StreamEvent {
  return 'id' in frame;
}

/** Checks a frame against the wire protocol; anything else is dropped, never half-applied. */
export function parseEventFrame(value: unknown): EventFrame | null {
  const event = streamEvent.safeParse(value);
  if (event.success) return event.data;
  const control = controlEvent.safeParse(value);
  return control.success ? control.data : null;
}

/**
 * An event comes in an unnamed frame (`message`) with its type in its JSON `data`; a control
 * frame is named after its type. Anything else, such as an unnamed frame claiming to be a
 * `resync`, is dropped.
 */
export function parseSseFrame(eventName: string, data: string): EventFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  const frame = parseEventFrame(value);
  if (!frame) return null;
  return (isStreamEvent(frame) ? eventName === STREAM_EVENT_FRAME : frame.type === eventName) ? frame : null;
}
