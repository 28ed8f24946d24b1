import { CONTROL_EVENT_TYPES, STREAM_EVENT_FRAME } from '../../../common/events.js';
import type { EventSourceLike } from '../../../renderer/src/events/browser-event-feed.js';

/**
 * Stands in for the browser's EventSource (the boundary the feed is written against): the
 * test opens it, pushes frames and fails it, the way a server and a network would.
 */
export class FakeEventSource implements EventSourceLike {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];

  readyState = FakeEventSource.CONNECTING;
  // Listeners are called directly rather than through jsdom's EventTarget, which swallows what
  // a listener throws: here it fails the test.
  private readonly listeners = new Map<string, Set<(event: Event) => void>>();

  constructor(
    readonly url: string,
    readonly init?: EventSourceInit,
  ) {
    FakeEventSource.instances.push(this);
  }

  static reset(): void {
    FakeEventSource.instances = [];
  }

  static latest(): FakeEventSource {
    const source = FakeEventSource.instances.at(-1);
    if (!source) throw new Error('no EventSource was created');
    return source;
  }

  addEventListener(type: string, listener: (event: Event) => void): void {
    const listeners = this.listeners.get(type) ?? new Set();
    listeners.add(listener);
    this.listeners.set(type, listeners);
  }

  private dispatch(event: Event): void {
    for (const listener of [...(this.listeners.get(event.type) ?? [])]) listener(event);
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }

  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.dispatch(new Event('open'));
  }

  /**
   * A frame as the server writes it, with JSON `data:`: a control frame named after its type
   * (`ready`, `resync`), any other frame unnamed, which the browser dispatches as `message`.
   */
  send(type: string, data: unknown): void {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    const name = (CONTROL_EVENT_TYPES as readonly string[]).includes(type) ? type : STREAM_EVENT_FRAME;
    this.dispatch(new MessageEvent(name, { data: text }));
  }

  /** The connection broke; like the browser, readyState says whether it would retry by itself. */
  fail(readyState = FakeEventSource.CONNECTING): void {
    this.readyState = readyState;
    this.dispatch(new Event('error'));
  }
}
