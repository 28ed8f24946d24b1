import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStatusPayload } from '../../../common/events.js';
import { AlertStatusPublisher } from '../../../server/alerts/alert-status-publisher.js';
import type { UserEvent } from '../../../server/events/event-publisher.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { api, DEMO_PASSWORD, login, startTestServer, type TestServer } from '../../support/test-server.js';

let redis: TestRedis;
let server: TestServer;
let senderId: number;
let alertIds: number[];

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
  const jones = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
  senderId = smith.user.id;
  const client = api(server.url, smith.token);
  const conversation = (await client.post<{ conversation: { id: number } }>('/api/conversations', { participantIds: [jones.user.id], title: 'Statuses' })).body.conversation;
  for (const text of ['BP 128/82 in room 3', 'Bloods back', 'Room 2 is free']) {
    expect((await client.post(`/api/conversations/${conversation.id}/messages`, { text })).status).toBe(201);
  }
  alertIds = (server.context.db.prepare('SELECT id FROM alerts WHERE conversation_id = ? ORDER BY id').all(conversation.id) as Array<{ id: number }>).map((row) => row.id);
  expect(alertIds).toHaveLength(3);
});

afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

/** The batches a publisher hands Redis while flushing `alertIds`, through the server's real publisher. */
async function batchesOfFlush(sliceMs: number): Promise<UserEvent[][]> {
  const publisher = server.context.publisher;
  const realPublishBatch = publisher.publishBatch.bind(publisher);
  const batches: UserEvent[][] = [];
  publisher.publishBatch = (events) => {
    batches.push([...events]);
    return realPublishBatch(events);
  };
  try {
    const statuses = new AlertStatusPublisher(server.context, { coalesceMs: 60_000, sliceMs });
    statuses.touch(alertIds);
    await statuses.stop();
  } finally {
    publisher.publishBatch = realPublishBatch;
  }
  return batches;
}

describe('alert status publisher', () => {
  it("publishes each touched alert's status to its sender, in one batch when the slice has room", async () => {
    const batches = await batchesOfFlush(60_000);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((event) => event.userId)).toEqual([senderId, senderId, senderId]);
    expect(batches[0]!.map((event) => (event.payload as AlertStatusPayload).alert_id)).toEqual(alertIds.map(String));
  });

  it('lets go of the event loop between slices: with no time to spare, one status per slice', async () => {
    const batches = await batchesOfFlush(0);
    expect(batches.map((batch) => batch.length)).toEqual([1, 1, 1]);
    expect(batches.map((batch) => (batch[0]!.payload as AlertStatusPayload).alert_id)).toEqual(alertIds.map(String));
  });

  it('gathers as long as it is asked to at least: while desks are spaced out, statuses wait longer', async () => {
    const publisher = server.context.publisher;
    const realPublishBatch = publisher.publishBatch.bind(publisher);
    const published: number[] = [];
    publisher.publishBatch = (events) => {
      published.push(performance.now());
      return realPublishBatch(events);
    };
    const statuses = new AlertStatusPublisher(server.context, { coalesceMs: 20, coalesceAtLeast: () => 400 });
    try {
      const touched = performance.now();
      statuses.touch(alertIds);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(published).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(published).toHaveLength(1);
      expect(published[0]! - touched).toBeGreaterThanOrEqual(399);
    } finally {
      await statuses.stop();
      publisher.publishBatch = realPublishBatch;
    }
  });
});
