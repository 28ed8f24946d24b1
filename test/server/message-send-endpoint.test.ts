import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../common/api.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, DEMO_PASSWORD, login, startTestServer, type TestServer } from '../support/test-server.js';

/**
 * `POST /api/conversations/:id/messages` is answered before Express when it can be
 * (server/conversations/message-send-endpoint.ts) and by the route otherwise: every rule of the
 * API holds for both ways alike, and a send is the same send whichever way it came.
 */
let redis: TestRedis;
let server: TestServer;
let smith: { token: string; cookie: string };
let leeToken: string;
let conversationId: number;

const PAGE_ORIGIN = 'http://clinic-frontend.example';
const MESSAGE_LIMIT = 40;

const savedTexts = () =>
  (server.context.db.prepare('SELECT text FROM messages WHERE conversation_id = ? ORDER BY id').all(conversationId) as { text: string }[]).map((row) => row.text);

function post(headers: Record<string, string>, body: string, path = `/api/conversations/${conversationId}/messages`) {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

const text = (words: string, more: Record<string, unknown> = {}) => JSON.stringify({ text: words, ...more });

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

/** The headers both ways must answer alike; a date or a count left can differ. */
function apiHeaders(response: Response): Record<string, string | null> {
  const names = [
    'content-type',
    'cache-control',
    'x-content-type-options',
    'access-control-allow-origin',
    'access-control-allow-credentials',
    'access-control-expose-headers',
    'ratelimit-policy',
    'ratelimit-limit',
  ];
  return Object.fromEntries(names.map((name) => [name, response.headers.get(name)]));
}

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url, env: { CORS_ORIGINS: PAGE_ORIGIN, MESSAGE_RATE_LIMIT: String(MESSAGE_LIMIT) } });
  const signedIn = await login(server.url, 'dr.smith', DEMO_PASSWORD);
  smith = { token: signedIn.token, cookie: signedIn.cookie };
  const jones = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
  leeToken = (await login(server.url, 'frontdesk.lee', DEMO_PASSWORD)).token;
  conversationId = (await api(server.url, smith.token).post<{ conversation: { id: number } }>('/api/conversations', { participantIds: [jones.user.id] })).body.conversation.id;
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('sending a message before Express', () => {
  it('answers a send as the route does — status, body and headers — and a repeated send with its first message', async () => {
    const bearer = { authorization: `Bearer ${smith.token}`, origin: PAGE_ORIGIN, 'sec-fetch-site': 'cross-site' };
    const early = await post(bearer, text('Room 3 is ready', { clientMessageId: 'endpoint-send-0001' }));
    // A trailing slash is a spelling only Express matches: the route answers it.
    const routed = await post(bearer, text('Room 4 is ready', { clientMessageId: 'endpoint-send-0002' }), `/api/conversations/${conversationId}/messages/`);
    expect([early.status, routed.status]).toEqual([201, 201]);
    expect(apiHeaders(early)).toEqual(apiHeaders(routed));
    expect(apiHeaders(early)).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'access-control-allow-origin': PAGE_ORIGIN,
      'ratelimit-limit': String(MESSAGE_LIMIT),
    });
    const first = ((await early.json()) as { message: Message }).message;
    const second = ((await routed.json()) as { message: Message }).message;
    expect(Object.keys(first).sort()).toEqual(Object.keys(second).sort());
    expect([first.text, second.text, second.id - first.id]).toEqual(['Room 3 is ready', 'Room 4 is ready', 1]);

    const repeated = await post(bearer, text('Room 3 is ready', { clientMessageId: 'endpoint-send-0001' }));
    expect(repeated.status).toBe(200);
    expect(((await repeated.json()) as { message: Message }).message.id).toBe(first.id);
    expect(savedTexts().filter((saved) => saved.startsWith('Room '))).toEqual(['Room 3 is ready', 'Room 4 is ready']);
  });

  it('refuses a cookie session from another site, and saves nothing', async () => {
    const before = savedTexts().length;
    for (const headers of [
      { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' },
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
    ]) {
      const response = await post({ cookie: smith.cookie, ...headers }, text('Forged'));
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(await errorCode(response)).toBe('forbidden');
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
    expect(savedTexts()).toHaveLength(before);
    const page = await post({ cookie: smith.cookie, 'sec-fetch-site': 'same-origin' }, text('From the page'));
    expect(page.status).toBe(201);
  });

  it('answers without a session 401, bad JSON 400, over 64 kB 413, an empty text 400, another’s conversation 404 — saving nothing', async () => {
    const before = savedTexts().length;
    const bearer = { authorization: `Bearer ${smith.token}` };
    const answers = [
      [await post({}, text('Anyone?')), 401, 'unauthorized'],
      [await post(bearer, '{"text":'), 400, 'invalid_json'],
      [await post(bearer, '"just a string"'), 400, 'invalid_json'],
      [await post(bearer, text('x'.repeat(70_000))), 413, 'payload_too_large'],
      [await post(bearer, text('   ')), 400, 'validation_failed'],
      [await post(bearer, text('Hello', { priority: 'whenever' })), 400, 'validation_failed'],
      [await post({ authorization: `Bearer ${leeToken}` }, text('Not my conversation')), 404, 'not_found'],
      [await post(bearer, text('Nowhere'), '/api/conversations/999999/messages'), 404, 'not_found'],
    ] as const;
    for (const [response, status, code] of answers) {
      expect([response.status, await errorCode(response)]).toEqual([status, code]);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(savedTexts()).toHaveLength(before);
  });

  it('leaves to the route what it does not read itself, which sends it the same way', async () => {
    const bearer = { authorization: `Bearer ${smith.token}` };
    const latin1 = await post({ ...bearer, 'content-type': 'application/json; charset=latin1' }, text('Latin-1'));
    expect(latin1.status).toBe(415);
    const ownOrigin = await post({ cookie: smith.cookie, origin: server.url }, text('From our own origin, no Sec-Fetch-Site'));
    expect(ownOrigin.status).toBe(201);
    // Each digit percent-encoded ('%31' for 1): Express decodes the path's parameter.
    const encodedId = [...String(conversationId)].map((digit) => `%3${digit}`).join('');
    const encoded = await post(bearer, text('Encoded id'), `/api/conversations/${encodedId}/messages`);
    expect(encoded.status).toBe(201);
    expect(savedTexts()).toEqual(expect.arrayContaining(['From our own origin, no Sec-Fetch-Site', 'Encoded id']));
    expect(savedTexts()).not.toContain('Latin-1');
  });

  it('counts sends both ways in one limit: over it, 429 with Retry-After either way', async () => {
    const bearer = { authorization: `Bearer ${smith.token}` };
    const answers: Response[] = [];
    for (let index = 0; index < MESSAGE_LIMIT; index++) {
      const path = index % 2 === 0 ? `/api/conversations/${conversationId}/messages` : `/api/conversations/${conversationId}/messages/`;
      answers.push(await post(bearer, text(`Burst ${index}`), path));
    }
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    const early = await post(bearer, text('One more'));
    const routed = await post(bearer, text('One more'), `/api/conversations/${conversationId}/messages/`);
    for (const response of [early, routed]) {
      expect([response.status, await errorCode(response)]).toEqual([429, 'too_many_requests']);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(response.headers.get('ratelimit-remaining')).toBe('0');
    }
    expect(savedTexts()).not.toContain('One more');
  });
});
