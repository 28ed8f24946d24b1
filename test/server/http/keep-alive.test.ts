import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { DEMO_PASSWORD, login, startTestServer, type TestServer } from '../../support/test-server.js';

let redis: TestRedis;
let server: TestServer;
let token: string;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  token = (await login(server.url, 'nurse.jones', DEMO_PASSWORD)).token;
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

/** One GET /api/me over the agent's single connection: its status, and whether it reused one. */
function ask(agent: Agent): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const sent = request(`${server.url}/api/me`, { agent, headers: { authorization: `Bearer ${token}` } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, reused: sent.reusedSocket }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('keep-alive connections', () => {
  it('stay open across the longest pause a desk may be asked for between receipt reports', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await ask(agent)).toEqual({ status: 200, reused: false });
      // alerts/receipt-pacing.ts: a spacing of at most 4 s, then the report's own gathering and
      // request. (Node closes an idle connection a second after the keep-alive timeout it names.)
      await new Promise((resolve) => setTimeout(resolve, 6_500));
      expect(await ask(agent)).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 15_000);
});
