import type { ConversationResponse, CreateConversationRequest, SendMessageRequest } from '../../common/api.js';
import { HttpConnection } from './http-connection.js';
import { sessionToken, userIdOf, type Endpoint, type SystemConfig } from './systems.js';

/**
 * The message path of the scenario, per system: pair p is a sender (bench user `pairs + p`) and a
 * recipient (bench user p), and each sender holds one keep-alive connection, as a desk does.
 * ClinicPulse: the sender's `POST /api/conversations/:id/messages` with its session, into the
 * conversation of the two (made over HTTP before anything is timed). Nchan: `POST /pub/user/<id>`
 * of a new_message-shaped payload to the recipient's channel: what a message costs when all
 * there is to do is publish it.
 */
export interface MessageSenders {
  /** Resolves once the system accepted the message (its POST answered 2xx). */
  send(pair: number, text: string, clientMessageId: string): Promise<void>;
  /** POSTs asked for and not yet answered, over all senders. */
  readonly waiting: number;
  close(): void;
}

/** The recipient's stream index and the sender's, in the generator's stream pools. */
export const recipientIndex = (pair: number): number => pair;
export const senderIndex = (pairs: number, pair: number): number => pairs + pair;

/**
 * A sender talks to another process than its recipient's stream when there are several: with two
 * servers every message crosses Redis, the harder case.
 */
function senderEndpoint(config: SystemConfig, pair: number): Endpoint {
  return config.endpoints[(pair + 1) % config.endpoints.length] as Endpoint;
}

export async function connectMessageSenders(config: SystemConfig, pairs: number): Promise<MessageSenders> {
  const connections = Array.from({ length: pairs }, (_, pair) => new HttpConnection(senderEndpoint(config, pair)));
  const waiting = () => connections.reduce((sum, connection) => sum + connection.waiting, 0);
  const close = () => connections.forEach((connection) => connection.close());
  try {
    const send = config.name === 'clinicpulse' ? await clinicPulseSend(config, pairs, connections) : nchanSend(pairs, connections);
    return { send, get waiting() { return waiting(); }, close };
  } catch (error) {
    close();
    throw error;
  }
}

type Send = MessageSenders['send'];

async function clinicPulseSend(config: SystemConfig, pairs: number, connections: HttpConnection[]): Promise<Send> {
  const headersOf = (pair: number) => ({ Authorization: `Bearer ${sessionToken(config.tokenSeed, userIdOf(senderIndex(pairs, pair)))}` });
  const conversations = await Promise.all(
    connections.map(async (connection, pair) => {
      const request: CreateConversationRequest = { participantIds: [userIdOf(recipientIndex(pair))] };
      const answer = await connection.post('/api/conversations', headersOf(pair), JSON.stringify(request));
      if (answer.status !== 201 && answer.status !== 200) throw new Error(`creating conversation ${pair}: HTTP ${answer.status} ${answer.body}`);
      return (JSON.parse(answer.body) as ConversationResponse).conversation.id;
    }),
  );
  const paths = conversations.map((id) => `/api/conversations/${id}/messages`);
  const headers = connections.map((_, pair) => headersOf(pair));
  return async (pair, text, clientMessageId) => {
    const request: SendMessageRequest = { text, clientMessageId, priority: 'routine' };
    const answer = await (connections[pair] as HttpConnection).post(paths[pair] as string, headers[pair] as Record<string, string>, JSON.stringify(request));
    if (answer.status !== 201) throw new Error(`send: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
  };
}

function nchanSend(pairs: number, connections: HttpConnection[]): Send {
  const headers = { Accept: 'text/json' };
  return async (pair, text) => {
    const recipient = userIdOf(recipientIndex(pair));
    const sender = userIdOf(senderIndex(pairs, pair));
    const payload = {
      type: 'new_message',
      conversation_id: String(pair + 1),
      sender: `Bench User ${sender}`,
      text,
      timestamp: new Date().toISOString(),
      sender_id: String(sender),
      priority: 'routine',
    };
    const answer = await (connections[pair] as HttpConnection).post(`/pub/user/${recipient}`, headers, JSON.stringify(payload));
    if (answer.status !== 201 && answer.status !== 202) throw new Error(`Nchan publish: HTTP ${answer.status}`);
  };
}
