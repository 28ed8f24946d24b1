import pg from 'pg';
import type { Message } from '../../../../common/api.js';
import { startTestNetwork, type TestNetwork } from '../../../support/network-hosts.js';
import { createDatabase, startTestPostgres, type TestPostgres } from '../../../support/postgres-server.js';
import { startTestRedisCluster, type TestRedisCluster } from '../../../support/redis-cluster.js';
import { startTestRedis, type TestRedis } from '../../../support/redis-server.js';
import { api, DEMO_PASSWORD, login, spawnServerProcess, type ServerProcess } from '../../../support/test-server.js';
import { openRecipientDesk, type RecipientDesk } from '../../support/recipient-desk.js';

export type AppHost = 'app1' | 'app2';

/**
 * One clinic spread over four test hosts: PostgreSQL on `db`, Redis (or a Redis Cluster, all its
 * nodes) on `redis`, a server process on each of `app1` and `app2`, both on that one database and
 * Redis. The test runner is the clinic's desks and its load balancer, reaching every host over the
 * bridge.
 */
export interface HostedClinic {
  network: TestNetwork;
  postgres: TestPostgres;
  redis: TestRedis | null;
  cluster: TestRedisCluster | null;
  apps: Record<AppHost, ServerProcess>;
  conversationId: number;
  /** Nurse Jones, a participant of the conversation, whose desks the tests open. */
  recipientToken: string;
  /** Message ids of every send answered 201, in the order they were sent. */
  accepted: number[];
  /** Sends `count` messages from Dr. Smith through that host, one after the other; returns each status. */
  send(through: AppHost, count: number): Promise<number[]>;
  /**
   * A desk of Nurse Jones on that host, resuming after `resumeFrom` (by default from where she
   * stands now, so it gets only what is sent from here on); stopped at the end.
   */
  desk(on: AppHost, resumeFrom?: number): Promise<RecipientDesk>;
  /** What a load balancer's health check sees: `/readyz` answered 200 within a second. */
  ready(host: AppHost): Promise<boolean>;
  /** The app host loses every packet to and from both data hosts (PostgreSQL and Redis), and no other. */
  cutOffFromData(host: AppHost): Promise<void>;
  reconnectToData(host: AppHost): Promise<void>;
  /** Runs one statement on the clinic's database, from the test runner. */
  query<T>(sql: string): Promise<T[]>;
  /** A fresh server process on that host, on the same port and data (after stop() or kill()). */
  restart(host: AppHost): Promise<ServerProcess>;
  stop(): Promise<void>;
}

/** Settings for both processes: quick client retries, no rate limit in the way of a burst. */
const SERVER_SETTINGS = { SSE_RETRY_MS: '200', MESSAGE_RATE_LIMIT: '10000', REDIS_LOSS_WINDOW_SECONDS: '120' };

export async function startHostedClinic(options: { redis: 'single' | 'cluster' }): Promise<HostedClinic> {
  const network = await startTestNetwork(['db', 'redis', 'app1', 'app2']);
  const cleanups: (() => Promise<unknown>)[] = [() => network.stop()];
  const desks: RecipientDesk[] = [];
  const stop = async () => {
    for (const desk of desks.splice(0)) desk.stop();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const redisHost = network.host('redis');
    const [postgres, redisOrCluster] = await Promise.all([
      startTestPostgres({ host: network.host('db'), allowFrom: network.cidr }),
      options.redis === 'cluster' ? startTestRedisCluster({ host: redisHost }) : startTestRedis({ host: redisHost }),
    ]);
    cleanups.push(() => postgres.stop(), () => redisOrCluster.stop());
    const cluster = 'nodes' in redisOrCluster ? redisOrCluster : null;
    const redis = 'nodes' in redisOrCluster ? null : redisOrCluster;
    const databaseUrl = await createDatabase(postgres.adminUrl);
    const start = (host: AppHost, port?: number) =>
      spawnServerProcess({
        host: network.host(host),
        ...(port ? { port } : {}),
        redisUrl: redisOrCluster.url,
        ...(cluster ? { redisClusterNodes: cluster.nodes } : {}),
        databaseUrl,
        env: SERVER_SETTINGS,
      });
    const [app1, app2] = await Promise.all([start('app1'), start('app2')]);
    const apps: Record<AppHost, ServerProcess> = { app1, app2 };
    cleanups.push(() => apps.app1.stop(), () => apps.app2.stop());

    const smith = await signInAsTheAppDoes(app2.url, 'dr.smith');
    const jones = await signInAsTheAppDoes(app1.url, 'nurse.jones');
    const created = await api(app2.url, smith.token).post('/api/conversations', { participantIds: [jones.user.id], title: 'Ward round' });
    if (created.status !== 201) throw new Error(`conversation not created: ${created.status} ${JSON.stringify(created.body)}`);
    const conversationId = (created.body as { conversation: { id: number } }).conversation.id;

    const accepted: number[] = [];
    let sent = 0;
    return {
      network,
      postgres,
      redis,
      cluster,
      apps,
      conversationId,
      recipientToken: jones.token,
      accepted,
      async send(through, count) {
        const statuses: number[] = [];
        for (let i = 0; i < count; i++) {
          const response = await api(apps[through].url, smith.token).post(`/api/conversations/${conversationId}/messages`, { text: `message ${sent++}` });
          statuses.push(response.status);
          if (response.status === 201) accepted.push((response.body as { message: Message }).message.id);
        }
        return statuses;
      },
      async desk(on, resumeFrom) {
        const position = resumeFrom ?? (await api(apps[on].url, jones.token).get('/api/events/state')).body.lastEventId;
        const desk = openRecipientDesk(apps[on].url, jones.token, conversationId, position);
        desks.push(desk);
        return desk;
      },
      async ready(host) {
        try {
          const response = await fetch(`${apps[host].url}/readyz`, { signal: AbortSignal.timeout(1_000) });
          return response.status === 200;
        } catch {
          return false;
        }
      },
      async cutOffFromData(host) {
        await network.dropBetween(host, 'db');
        await network.dropBetween(host, 'redis');
      },
      async reconnectToData(host) {
        await network.restoreBetween(host, 'db');
        await network.restoreBetween(host, 'redis');
      },
      async query<T>(sql: string) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          return (await client.query(sql)).rows as T[];
        } finally {
          await client.end();
        }
      },
      async restart(host) {
        apps[host] = await start(host, apps[host].port);
        return apps[host];
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A sign-in that, like the app, tries again after a 503 ("the database is unavailable, retry
 * shortly"): on a loaded machine a host's first query to PostgreSQL across the namespaces can
 * miss its timeout (seen once in CI), which is not what these tests are about.
 */
async function signInAsTheAppDoes(url: string, username: string): ReturnType<typeof login> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await login(url, username, DEMO_PASSWORD);
    } catch (error) {
      if (attempt >= 10 || !(error instanceof Error) || !error.message.includes(': 503 ')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
