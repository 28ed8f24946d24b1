import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../common/events.js';
import { EventHub } from '../../../server/events/event-hub.js';
import { EventPublisher } from '../../../server/events/event-publisher.js';
import { CLUSTER_KEYS } from '../../../server/events/keys.js';
import { ShardedSubscriber } from '../../../server/events/sharded-subscriber.js';
import { StreamSession } from '../../../server/events/stream-session.js';
import { createMetrics } from '../../../server/metrics.js';
import { startTestRedisCluster, type TestRedisCluster } from '../../support/redis-cluster.js';
import { openRawStream, type RawStream } from '../../support/sse-client.js';
import { api, login, spawnServerProcess, startTestServer, type ServerProcess, type TestServer } from '../../support/test-server.js';

const notice = (content: string): EventPayload => ({ type: 'system_notification', content, timestamp: new Date().toISOString() });
const publishedAfter = (published: number[], since: number) => published.filter((id) => id > since);
const PASSWORD = 'a long passphrase';

describe('on a Redis Cluster (three primaries, one replica each)', () => {
  let cluster: TestRedisCluster;
  let server: TestServer;
  let other: ServerProcess;
  let publisherConnection: Cluster;
  let publisher: EventPublisher;
  let admin: ReturnType<typeof api>;
  /** Staff spread over every shard: signed-in tokens by user id. */
  const staff = new Map<number, string>();
  const open: RawStream[] = [];

  const stream = async (url: string, token: string, headers: Record<string, string> = {}) => {
    const s = await openRawStream(`${url}/api/events/stream`, { authorization: `Bearer ${token}`, ...headers });
    open.push(s);
    return s;
  };
  const ready = (s: RawStream) => s.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
  const primaryOf = async (userId: number) => {
    const slot = calculateSlot(CLUSTER_KEYS.userKey(userId));
    return (await cluster.primaries()).find(({ slots }) => slots.some(([from, to]) => from <= slot && slot <= to))!.port;
  };

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    // Revocations must cross the cluster: the database check would end streams only after an hour.
    const env = { HEARTBEAT_SECONDS: '0.5', MAX_STREAMS_PER_USER: '32', STREAM_SESSION_CHECK_SECONDS: '3600' };
    server = await startTestServer({ redisUrl: cluster.url, redisClusterNodes: cluster.nodes, env });
    publisherConnection = new Cluster(cluster.nodes.split(','));
    publisher = new EventPublisher(publisherConnection, { historyTtlSeconds: 3600, historyLength: 1000, keys: CLUSTER_KEYS });
    admin = api(server.url, (await login(server.url, 'admin', 'clinicpulse')).token);
    for (let i = 0; i < 12; i++) {
      const created = await admin.post('/api/admin/users', { username: `cluster.nurse${i}`, displayName: `Nurse ${i}`, role: 'nurse', password: PASSWORD });
      expect(created.status).toBe(201);
      const id = (created.body as { user: { id: number } }).user.id;
      staff.set(id, (await login(server.url, `cluster.nurse${i}`, PASSWORD)).token);
    }
    // A second server process on the same cluster and database, as behind a load balancer.
    other = await spawnServerProcess({ redisUrl: cluster.url, redisClusterNodes: cluster.nodes, dataDir: server.context.config.dataDir, demoData: false, env });
  }, 60_000);
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  afterAll(async () => {
    publisherConnection?.disconnect();
    await other?.stop();
    await server?.close();
    await cluster?.stop();
  });

  it('keeps every key of a user in the slot of their bucket, and delivers and replays after Last-Event-ID', async () => {
    const [userId, token] = [...staff][0]!;
    const first = await publisher.publish(userId, notice('one'));
    const keys = await cluster.nodeClient(await primaryOf(userId)).keys('*');
    expect(keys).toContain(`{u${userId % 64}}:user:${userId}:events`);
    expect(keys).toContain(`{u${userId % 64}}:user:${userId}:seq`);
    expect(keys.some((key) => key.startsWith('user:'))).toBe(false);

    // Sharded pub/sub: the user's shard sends the event; a classic subscriber elsewhere hears nothing.
    const owner = await primaryOf(userId);
    const sharded = cluster.nodeClient(owner);
    const broadcast = cluster.nodeClient(cluster.ports.find((port) => port !== owner)!);
    const heard: string[] = [];
    sharded.on('smessage', (_channel: string, message: string) => heard.push(`sharded ${message}`));
    broadcast.on('message', (_channel: string, message: string) => heard.push(`broadcast ${message}`));
    await sharded.ssubscribe(CLUSTER_KEYS.userKey(userId));
    await broadcast.subscribe(CLUSTER_KEYS.userKey(userId));

    const live = await stream(server.url, token, { 'last-event-id': String(first) });
    await ready(live);
    const ids = [await publisher.publish(userId, notice('two')), await publisher.publish(userId, notice('three'))];
    await live.waitFor((x) => x.eventIds().length === 2);
    expect(live.eventIds()).toEqual(ids);
    await expect.poll(() => heard.length).toBe(2);
    expect(heard.every((message) => message.startsWith('sharded '))).toBe(true);
    sharded.disconnect();
    broadcast.disconnect();

    const replayed = await stream(other.url, token, { 'last-event-id': String(first) });
    await ready(replayed);
    expect(replayed.eventIds()).toEqual(ids);
    const fromStart = await stream(other.url, token);
    await ready(fromStart);
    expect(fromStart.eventIds().slice(-3)).toEqual([first, ...ids]);
  });

  it('takes a stream asked for while the subscriber is still learning the slot map (a process just started), rather than refusing it', async () => {
    const logger = pino({ level: 'silent' });
    const connection = new Cluster(cluster.nodes.split(','));
    const subscriber = new ShardedSubscriber(connection, {}, logger);
    const hub = new EventHub(subscriber, { metrics: createMetrics(), logger, keys: CLUSTER_KEYS });
    try {
      const [userId] = [...staff][2]!;
      const delivered: number[] = [];
      const session = new StreamSession({ userId, sessionId: 1, expiresAtMs: Date.now() + 60_000 }, null, 1 << 20, hub.unregister);
      session.deliver = (event) => (delivered.push(event.id), true);
      expect(subscriber.status).toBe('connecting');
      expect(hub.isLive()).toBe(false);
      await hub.register(session);
      expect(hub.isLive()).toBe(true);
      const id = await publisher.publish(userId, notice('heard by the late starter'));
      await expect.poll(() => delivered).toEqual([id]);
    } finally {
      await hub.close();
      subscriber.disconnect();
      connection.disconnect();
    }
  });

  it('fans a notice out to users on every shard, once each, on both server processes', async () => {
    const users = [...staff.keys()];
    const shards = new Set(await Promise.all(users.map(primaryOf)));
    expect(shards.size).toBe(3);
    const streams = new Map<number, RawStream[]>();
    for (const [userId, token] of staff) {
      const desks = [await stream(server.url, token), await stream(other.url, token)];
      for (const s of desks) await ready(s);
      streams.set(userId, desks);
    }
    const ids = await publisher.publishToMany(users, notice('Fire drill at 11:00'));
    expect(ids).toHaveLength(users.length);
    for (const [i, userId] of users.entries()) {
      for (const s of streams.get(userId)!) {
        await s.waitFor((x) => x.eventIds().includes(ids[i]!));
        const notices = s.messages.filter((m) => m.data.includes('Fire drill at 11:00'));
        expect(notices.map((m) => Number(m.id))).toEqual([ids[i]]);
      }
    }
    // Through the API as well: the admins' notice reaches everyone's streams once.
    const sent = await admin.post('/api/admin/system-notifications', { userIds: users, content: 'Lunch is served' });
    expect(sent.status).toBe(200);
    for (const userId of users) {
      for (const s of streams.get(userId)!) {
        await s.waitFor((x) => x.messages.some((m) => m.data.includes('Lunch is served')));
        expect(s.messages.filter((m) => m.data.includes('Lunch is served'))).toHaveLength(1);
      }
    }
  });

  it('loses and repeats nothing when single events and fan-outs to every shard are published while streams connect and replay', async () => {
    const users = [...staff.keys()];
    const watched = users.slice(0, 6);
    const last = new Map<number, number>();
    const published = new Map<number, number[]>(users.map((userId) => [userId, []]));
    for (const userId of users) {
      const id = await publisher.publish(userId, notice('start'));
      last.set(userId, id);
      published.get(userId)!.push(id);
    }
    let publishing = true;
    const publishing$ = (async () => {
      while (publishing) {
        const [fanOut, ...singles] = await Promise.all([
          publisher.publishToMany(users, notice('race fan-out')),
          ...watched.map((userId) => publisher.publish(userId, notice('race single'))),
        ]);
        users.forEach((userId, i) => published.get(userId)!.push(fanOut![i]!));
        watched.forEach((userId, i) => published.get(userId)!.push(singles[i]!));
        for (const userId of users) last.set(userId, Math.max(...published.get(userId)!));
      }
    })();
    const streams: { userId: number; since: number; s: RawStream }[] = [];
    for (let round = 0; round < 4; round++) {
      const opened = await Promise.all(
        watched.map(async (userId, i) => {
          const since = last.get(userId)!;
          const s = await stream(i % 2 === 0 ? server.url : other.url, staff.get(userId)!, { 'last-event-id': String(since) });
          expect(s.status).toBe(200);
          return { userId, since, s };
        }),
      );
      for (const { s } of opened) await ready(s);
      // Each takes live events too before it closes.
      for (const { userId, s } of opened) {
        const before = last.get(userId)!;
        await s.waitFor((x) => (x.eventIds().at(-1) ?? 0) > before);
      }
      for (const { s } of opened) s.close();
      streams.push(...opened);
    }
    publishing = false;
    await publishing$;
    for (const { userId, since, s } of streams) {
      const inOrder = published.get(userId)!.toSorted((a, b) => a - b);
      const ids = s.eventIds();
      expect(ids.length).toBeGreaterThan(0);
      expect(ids).toEqual(publishedAfter(inOrder, since).slice(0, ids.length));
    }
  });

  it('ends a signed-out session’s streams on both server processes at once, and a disabled account’s', async () => {
    const created = await admin.post('/api/admin/users', { username: 'locum.kay', displayName: 'Locum Kay', role: 'clinician', password: PASSWORD });
    const kayId = (created.body as { user: { id: number } }).user.id;
    const first = await login(server.url, 'locum.kay', PASSWORD);
    const second = await login(server.url, 'locum.kay', PASSWORD);
    const signedOut = [await stream(server.url, first.token), await stream(other.url, first.token)];
    const disabled = [await stream(server.url, second.token), await stream(other.url, second.token)];
    for (const s of [...signedOut, ...disabled]) await ready(s);
    expect((await api(server.url, first.token).post('/api/auth/logout')).status).toBe(204);
    await Promise.all(signedOut.map((s) => s.ended));
    expect((await admin.patch(`/api/admin/users/${kayId}`, { disabled: true })).status).toBe(200);
    await Promise.all(disabled.map((s) => s.ended));
  });

  it('counts a user’s messages in the cluster, across both server processes, for the rate limit', async () => {
    const [[, alice], [bobId]] = [...staff] as [[number, string], [number, string]];
    const conversation = await api(server.url, alice).post('/api/conversations', { participantIds: [bobId], title: 'Rate limit' });
    const conversationId = (conversation.body as { conversation: { id: number } }).conversation.id;
    // MESSAGE_RATE_LIMIT is 30 per window: 15 through each process, then the 31st is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      statuses.push((await api(i % 2 === 0 ? server.url : other.url, alice).post(`/api/conversations/${conversationId}/messages`, { text: `m${i}` })).status);
    }
    expect(statuses.every((status) => status === 201)).toBe(true);
    const refused = await api(other.url, alice).post(`/api/conversations/${conversationId}/messages`, { text: 'one too many' });
    expect(refused.status).toBe(429);
  });

  it('opens no stream while its user’s channel cannot be subscribed on their shard, and opens it once it can', async () => {
    const [, token] = [...staff][1]!;
    const nodes = cluster.ports.map((port) => cluster.nodeClient(port));
    // Each node refuses every channel but the fan-out ones: SSUBSCRIBE of a user's channel fails.
    await Promise.all(nodes.map((node) => node.acl('SETUSER', 'default', 'resetchannels', '&{u*}:fanout')));
    try {
      const refused = await stream(server.url, token);
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.errorBody)).toMatchObject({ error: { code: 'unavailable' } });
    } finally {
      await Promise.all(nodes.map((node) => node.acl('SETUSER', 'default', 'allchannels')));
      for (const node of nodes) node.disconnect();
    }
    // Redis drops the subscriber connections the ACL change forbade, on both processes: each opens
    // streams again once its own subscriber has reconnected, and the next test relies on both.
    for (const url of [server.url, other.url]) {
      await expect
        .poll(
          async () => {
            const s = await stream(url, token);
            if (s.status !== 200) return s.status;
            await ready(s);
            return 200;
          },
          { timeout: 20_000 },
        )
        .toBe(200);
    }
  });
  it('keeps presence in one slot, so a desk’s report and a colleague’s view and stream agree across both server processes', async () => {
    const [[nurseId, nurse], [, colleague]] = [...staff] as [[number, string], [number, string]];
    const colleagueDesk = await stream(other.url, colleague);
    await ready(colleagueDesk);
    const reported = await api(server.url, nurse).post('/api/presence/report', { deskId: 'cluster-desk', active: true });
    expect(reported.status).toBe(200);
    const seen = await api(other.url, colleague).get<{ presence: { userId: number; status: string }[] }>('/api/presence');
    expect(seen.status).toBe(200);
    expect(seen.body.presence).toContainEqual(expect.objectContaining({ userId: nurseId, status: 'available' }));
    // Announced on the live channel (sharded, in a slot of its own) to a desk on the other process.
    await colleagueDesk.waitFor((s) => s.messages.some((m) => m.event === 'presence_changed' && m.data.includes(`"user_id":"${nurseId}"`)));
  });
});
