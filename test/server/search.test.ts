import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResponse } from '../../common/api.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  api,
  DEMO_PASSWORD,
  login,
  startTestServer,
  type TestServer,
} from '../support/test-server.js';

let redis: TestRedis;
let server: TestServer;
let smith: ReturnType<typeof api>;
let patel: ReturnType<typeof api>;
let lee: ReturnType<typeof api>;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  const [s, p, l] = await Promise.all(
    ['dr.smith', 'dr.patel', 'frontdesk.lee'].map((name) => login(server.url, name, DEMO_PASSWORD)),
  );
  smith = api(server.url, s!.token);
  patel = api(server.url, p!.token);
  lee = api(server.url, l!.token);
  const conversation = (
    await smith.post('/api/conversations', { participantIds: [p!.user.id], title: 'Ward 3' })
  ).body.conversation;
  for (const text of [
    'Potassium result for bed 4 is back',
    'Café closes at noon',
    'Nothing relevant',
  ])
    await smith.post(`/api/conversations/${conversation.id}/messages`, { text });
  const direct = (await smith.post('/api/conversations', { participantIds: [l!.user.id] })).body
    .conversation;
  await smith.post(`/api/conversations/${direct.id}/messages`, {
    text: 'Potassium order for the front desk',
  });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

const search = (client: ReturnType<typeof api>, q: string) =>
  client.get<SearchResponse>(`/api/search?q=${encodeURIComponent(q)}`);

describe('message search', () => {
  it("finds messages in one's own conversations by word or word start, newest first, with the matches marked", async () => {
    const { status, body } = await search(patel, 'potass bed');
    expect(status).toBe(200);
    expect(body.results.map((result) => result.message.text)).toEqual([
      'Potassium result for bed 4 is back',
    ]);
    expect(body.results[0]?.conversationName).toBe('Ward 3');
    expect(body.results[0]?.snippet.filter((part) => part.match).map((part) => part.text)).toEqual([
      'Potassium',
      'bed',
    ]);

    const both = await search(smith, 'potassium');
    expect(both.body.results.map((result) => result.message.text)).toEqual([
      'Potassium order for the front desk',
      'Potassium result for bed 4 is back',
    ]);
    expect(both.body.results[0]?.conversationName).toBe('Mia Lee');
    // Accents do not matter.
    expect((await search(patel, 'cafe')).body.results).toHaveLength(1);
  });

  it("never finds someone else's conversations", async () => {
    expect(
      (await search(lee, 'potassium')).body.results.map((result) => result.message.text),
    ).toEqual(['Potassium order for the front desk']);
    expect((await search(lee, 'ward')).body.results).toEqual([]);
  });

  it('treats FTS syntax as plain words and refuses an empty query with a 400', async () => {
    for (const q of ['"potassium', 'bed AND', 'NEAR(bed', '*', 'col:text']) {
      const response = await search(smith, q);
      expect([200, 400], q).toContain(response.status);
    }
    expect((await search(smith, '"potassium')).body.results).toHaveLength(2);
    for (const q of ['', '   ', '***']) {
      const response = await smith.get(`/api/search?q=${encodeURIComponent(q)}`);
      expect(response.status, q).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    expect((await api(server.url).get('/api/search?q=bed')).status).toBe(401);
  });
});
