import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { openRawStream } from '../support/sse-client.js';
import {
  api,
  DEMO_PASSWORD,
  login,
  startTestServer,
  type TestServer,
} from '../support/test-server.js';
import { STREAM_WAIT_MS } from './support/user-events.js';

let redis: TestRedis;
let server: TestServer;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('signing out everywhere', () => {
  it("ends every session and open stream of the person, and nobody else's", async () => {
    const here = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
    const elsewhere = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
    const colleague = await login(server.url, 'dr.patel', DEMO_PASSWORD);
    const stream = await openRawStream(`${server.url}/api/events/stream`, {
      authorization: `Bearer ${elsewhere.token}`,
    });
    await stream.waitFor((s) => s.messages.some((m) => m.event === 'ready'), STREAM_WAIT_MS);

    const response = await api(server.url, here.token).post('/api/me/sign-out-everywhere');
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toMatch(/session=;/);
    await stream.ended;
    for (const token of [here.token, elsewhere.token])
      expect((await api(server.url, token).get('/api/me')).status).toBe(401);
    expect((await api(server.url, colleague.token).get('/api/me')).status).toBe(200);
  });

  it('needs a session', async () => {
    expect((await api(server.url).post('/api/me/sign-out-everywhere')).status).toBe(401);
  });
});
