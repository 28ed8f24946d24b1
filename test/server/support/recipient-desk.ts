import { EventSource } from 'eventsource';
import type { MessagesResponse } from '../../../common/api.js';
import { api } from '../../support/test-server.js';

export interface RecipientDesk {
  /** Message ids in the order the stream brought them (a repeat would show here twice). */
  viaStream: number[];
  /** Message ids it reloaded over REST after a resync. */
  viaRest: Set<number>;
  notices: string[];
  lastId(): number | null;
  resyncs(): number;
  /** Whether it knows of every one of these messages, however it learnt of it. */
  knows(ids: number[]): boolean;
  stop(): void;
}

/**
 * A recipient's desk as the product's clients behave: it keeps its own last event id and resumes
 * from it, and on `resync` takes the server's position and reloads the conversation over REST.
 * What it learnt of each message, and how, is what the tests check.
 */
export function openRecipientDesk(serverUrl: string, token: string, conversationId: number, resumeFrom: number | null = null): RecipientDesk {
  const viaStream: number[] = [];
  const viaRest = new Set<number>();
  const notices: string[] = [];
  let resyncs = 0;
  let lastId: number | null = resumeFrom;
  let source: EventSource;
  let stopped = false;
  const client = api(serverUrl, token);
  const reload = async () => {
    const { body } = await client.get<MessagesResponse>(`/api/conversations/${conversationId}/messages?limit=200`);
    for (const message of body.messages) viaRest.add(message.id);
  };
  const open = () => {
    source = new EventSource(`${serverUrl}/api/events/stream`, {
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${token}`);
        // Our own position, never the library's (EventSource/eventsource#27).
        if (lastId === null) headers.delete('last-event-id');
        else headers.set('last-event-id', String(lastId));
        return fetch(input, { ...init, headers });
      },
    });
    source.addEventListener('message', (e) => {
      const event = JSON.parse(e.data) as { id: number; type: string; message_id?: string; content?: string };
      lastId = event.id;
      if (event.type === 'new_message') viaStream.push(Number(event.message_id));
      else if (event.type === 'system_notification' || event.type === 'appointment_reminder') notices.push(event.content!);
    });
    source.addEventListener('resync', (e) => {
      resyncs += 1;
      lastId = (JSON.parse(e.data) as { lastEventId: number }).lastEventId;
      // A reload cut short (the server going away, the test ending) leaves `knows` short, which
      // is what the tests check; it must not surface as an unhandled rejection afterwards.
      reload().catch(() => undefined);
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED && !stopped) setTimeout(open, 200);
    });
  };
  open();
  return {
    stop: () => {
      stopped = true;
      source.close();
    },
    viaStream,
    viaRest,
    notices,
    lastId: () => lastId,
    resyncs: () => resyncs,
    /** Every message it knows of, however it learnt of it. */
    knows: (ids: number[]) => ids.every((id) => viaStream.includes(id) || viaRest.has(id)),
  };
}

