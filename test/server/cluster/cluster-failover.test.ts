import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../common/api.js';
import { CLUSTER_KEYS } from '../../../server/events/keys.js';
import { startTestRedisCluster } from '../../support/redis-cluster.js';
import { api, login, startTestServer } from '../../support/test-server.js';
import { openRecipientDesk, type RecipientDesk } from '../support/recipient-desk.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A clinic on a fresh cluster: Dr. Smith writes to Nurse Jones and Dr. Patel, whose desks listen. */
async function clinic() {
  const cluster = await startTestRedisCluster();
  cleanups.push(() => cluster.stop());
  const server = await startTestServer({
    redisUrl: cluster.url,
    redisClusterNodes: cluster.nodes,
    env: { SSE_RETRY_MS: '200', MESSAGE_RATE_LIMIT: '10000', REDIS_LOSS_WINDOW_SECONDS: '120' },
  });
  cleanups.push(() => server.close());
  const smith = await login(server.url, 'dr.smith', 'clinicpulse');
  const recipients = [await login(server.url, 'nurse.jones', 'clinicpulse'), await login(server.url, 'dr.patel', 'clinicpulse')];
  const sender = api(server.url, smith.token);
  const conversation = await sender.post('/api/conversations', { participantIds: recipients.map((r) => r.user.id), title: 'Ward round' });
  const conversationId = (conversation.body as { conversation: { id: number } }).conversation.id;
  const desk = (token: string, resumeFrom: number | null = null): RecipientDesk => {
    const opened = openRecipientDesk(server.url, token, conversationId, resumeFrom);
    cleanups.push(() => opened.stop());
    return opened;
  };
  const accepted: number[] = [];
  let sent = 0;
  /** Sends through the HTTP API; every message answered 201 is one the clinic relies on. */
  const send = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const response = await sender.post(`/api/conversations/${conversationId}/messages`, { text: `message ${sent++}` });
      if (response.status === 201) accepted.push((response.body as { message: Message }).message.id);
    }
  };
  return { cluster, server, recipients, desk, accepted, send };
}

describe('when a Redis Cluster primary dies', () => {
  it('delivers every message accepted while a primary is killed (kill -9) and its replica promoted, each once, or after a resync over REST', async () => {
    const { cluster, recipients, desk, accepted, send } = await clinic();
    const desks = recipients.map(({ token }) => desk(token));
    await send(3);
    for (const d of desks) await expect.poll(() => d.viaStream.length, { timeout: 20_000 }).toBe(3);
    const sending = send(60);
    await expect.poll(() => accepted.length).toBeGreaterThanOrEqual(20);
    await cluster.killPrimaryOf(CLUSTER_KEYS.userKey(recipients[0]!.user.id));
    await sending;
    await send(10);
    expect(accepted).toHaveLength(73);
    for (const d of desks) {
      await expect.poll(() => d.knows(accepted), { timeout: 30_000 }).toBe(true);
      expect(new Set(d.viaStream).size).toBe(d.viaStream.length);
      // Without a resync, the stream alone brought every message, in order.
      if (d.resyncs() === 0) expect(d.viaStream).toEqual(accepted);
    }
  }, 90_000);

  it('publishes again what the promoted replica never received: a desk that was away gets it, one that saw it is told to resync', async () => {
    const { cluster, recipients, desk, accepted, send } = await clinic();
    const jones = recipients[0]!;
    const key = CLUSTER_KEYS.userKey(jones.user.id);
    const awake = desk(jones.token);
    const sleeping = desk(jones.token);
    await send(5);
    for (const d of [awake, sleeping]) await expect.poll(() => d.viaStream.length, { timeout: 20_000 }).toBe(5);
    // The second desk goes to sleep having seen the first five.
    const sleptAt = sleeping.lastId();
    sleeping.stop();

    // The replica stops taking its primary's writes; the primary acknowledges five more and dies.
    const primary = await cluster.primaryOf(key);
    const replica = await cluster.replicaOf(key);
    cluster.pause(replica);
    await cluster.cutReplicas(primary);
    await send(5);
    const lost = accepted.slice(5);
    await expect.poll(() => lost.every((id) => awake.viaStream.includes(id)), { timeout: 20_000 }).toBe(true);
    await cluster.kill(primary);
    cluster.resume(replica);
    await cluster.waitForFailover(primary);
    await send(3);
    const after = accepted.slice(10);

    // The awake desk had seen ids the promoted replica never handed out: resync, then every later message.
    await expect.poll(() => after.every((id) => awake.viaStream.includes(id)), { timeout: 30_000 }).toBe(true);
    expect(awake.resyncs()).toBeGreaterThanOrEqual(1);
    await expect.poll(() => awake.knows(accepted), { timeout: 20_000 }).toBe(true);

    // The sleeping desk wakes up where it was: what the shard lost was published again for it, once each.
    const woken = desk(jones.token, sleptAt);
    await expect.poll(() => [...lost, ...after].every((id) => woken.viaStream.includes(id)), { timeout: 30_000 }).toBe(true);
    expect(new Set(woken.viaStream).size).toBe(woken.viaStream.length);
    expect(woken.resyncs()).toBe(0);
  }, 90_000);
});

describe('when a Redis Cluster is resharded', () => {
  it('subscribes again where the slot of a desk’s user went, and delivers every message before and after the move once', async () => {
    const { cluster, recipients, desk, accepted, send } = await clinic();
    const moved = recipients[0]!.user.id;
    const desks = recipients.map(({ token }) => desk(token));
    await send(10);
    for (const d of desks) await expect.poll(() => d.viaStream.length, { timeout: 20_000 }).toBe(10);
    const key = CLUSTER_KEYS.userKey(moved);
    const from = await cluster.primaryOf(key);
    const to = (await cluster.primaries()).map(({ port }) => port).find((port) => port !== from)!;
    // Between sends: the scripts name the keys of a user beyond the one that routes them, so a
    // slot may move only while nothing writes to it (README, Running on a Redis Cluster).
    await cluster.moveSlotOf(key, to);
    expect(await cluster.primaryOf(key)).toBe(to);
    await send(10);
    expect(accepted).toHaveLength(20);
    for (const d of desks) {
      await expect.poll(() => d.viaStream.length, { timeout: 30_000 }).toBe(20);
      // The history moved with the slot: nothing lost or repeated, no resync, in order.
      expect(d.viaStream).toEqual(accepted);
      expect(d.resyncs()).toBe(0);
    }
  }, 90_000);
});
