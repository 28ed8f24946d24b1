import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Cluster, Redis } from 'ioredis';
import type { SystemNotificationPayload } from '../../common/events.js';
import { EventPublisher } from '../../server/events/event-publisher.js';
import { CLUSTER_KEYS } from '../../server/events/keys.js';
import type { StreamTarget } from './stream-connection.js';

export type SystemName = 'clinicpulse' | 'nchan';

export interface Endpoint {
  host: string;
  port: number;
}

/** What the generator needs to know about the system under test; sent by bench/run.ts. */
export interface SystemConfig {
  name: SystemName;
  /** ClinicPulse server processes, or Nchan (nginx) instances; stream i goes to endpoint i % n. */
  endpoints: Endpoint[];
  redisUrl: string;
  /** ClinicPulse on a Redis Cluster (the scaled scenarios): every node, as REDIS_CLUSTER_NODES. */
  redisClusterNodes?: string;
  /** ClinicPulse: the seed the bench users' session tokens are derived from (see sessionToken). */
  tokenSeed: string;
  /** History settings of the ClinicPulse servers, for the generator's own EventPublisher. */
  historyLength: number;
  historyTtlSeconds: number;
  /** ClinicPulse: the servers' data directory, for scenarios that check SQLite afterwards. */
  dataDir?: string;
}

/** Bench user i (0-based) is user id i + 1; its token is derived so nothing has to be shipped. */
export function sessionToken(seed: string, userId: number): string {
  return createHash('sha256').update(`${seed}:${userId}`).digest('base64url');
}

export function userIdOf(index: number): number {
  return index + 1;
}

/**
 * One interface over both systems: where a user's stream lives and how to publish to one user or
 * to everybody. ClinicPulse publishes through its own EventPublisher (the code the server runs,
 * one atomic Lua script per user on the same Redis); Nchan through its HTTP publisher endpoint.
 */
export interface SystemUnderTest {
  readonly name: SystemName;
  /** Whether a stream sends `event: ready` at the end of its replay. */
  readonly sendsReady: boolean;
  /** Connects the publish path (and loads its script) before anything is timed. */
  prepare(): Promise<void>;
  userStream(index: number, lastEventId?: string): StreamTarget;
  /** The stream a fan-out reaches: the user's own for ClinicPulse, the one shared channel for Nchan. */
  fanoutStream(index: number): StreamTarget;
  publishToUser(index: number, payload: SystemNotificationPayload, via?: number): Promise<void>;
  /** One notice to the given users (ClinicPulse: each into their own history; Nchan: one channel). */
  publishFanout(indexes: readonly number[], payload: SystemNotificationPayload): Promise<void>;
  close(): Promise<void>;
}

/** Published to user 0, which no stream belongs to. */
function warmUpPayload(): SystemNotificationPayload {
  return { type: 'system_notification', content: 'warm-up', timestamp: new Date().toISOString() };
}

export function connectSystem(config: SystemConfig): SystemUnderTest {
  return config.name === 'clinicpulse' ? new ClinicPulseSystem(config) : new NchanSystem(config);
}

class ClinicPulseSystem implements SystemUnderTest {
  readonly name = 'clinicpulse';
  readonly sendsReady = true;
  private readonly redis: Redis | Cluster;
  private readonly publisher: EventPublisher;

  constructor(private readonly config: SystemConfig) {
    this.redis = config.redisClusterNodes
      ? new Cluster(config.redisClusterNodes.split(','), { redisOptions: { connectionName: 'bench-publisher' } })
      : new Redis(config.redisUrl, { connectionName: 'bench-publisher' });
    this.publisher = new EventPublisher(this.redis, {
      historyLength: config.historyLength,
      historyTtlSeconds: config.historyTtlSeconds,
      ...(config.redisClusterNodes ? { keys: CLUSTER_KEYS } : {}),
    });
  }

  async prepare(): Promise<void> {
    await this.redis.ping();
    await this.publisher.publish(0, warmUpPayload());
  }

  userStream(index: number, lastEventId?: string): StreamTarget {
    const endpoint = this.config.endpoints[index % this.config.endpoints.length] as Endpoint;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${sessionToken(this.config.tokenSeed, userIdOf(index))}`,
    };
    if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
    return { ...endpoint, path: '/api/events/stream', headers };
  }

  fanoutStream(index: number): StreamTarget {
    return this.userStream(index);
  }

  async publishToUser(index: number, payload: SystemNotificationPayload): Promise<void> {
    await this.publisher.publish(userIdOf(index), payload);
  }

  async publishFanout(indexes: readonly number[], payload: SystemNotificationPayload): Promise<void> {
    await this.publisher.publishToMany(indexes.map(userIdOf), payload);
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}

class NchanSystem implements SystemUnderTest {
  readonly name = 'nchan';
  readonly sendsReady = false;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private nextPublisher = 0;

  constructor(private readonly config: SystemConfig) {}

  async prepare(): Promise<void> {
    const body = JSON.stringify(warmUpPayload());
    await Promise.all(this.config.endpoints.map((endpoint) => this.post(endpoint, '/pub/user/0', body)));
  }

  userStream(index: number, lastEventId?: string): StreamTarget {
    const endpoint = this.config.endpoints[index % this.config.endpoints.length] as Endpoint;
    const headers: Record<string, string> = {};
    if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
    return { ...endpoint, path: `/sub/user/${userIdOf(index)}`, headers };
  }

  fanoutStream(index: number): StreamTarget {
    const endpoint = this.config.endpoints[index % this.config.endpoints.length] as Endpoint;
    return { ...endpoint, path: '/sub/all', headers: {} };
  }

  /** With several instances the publishes alternate between them, so most cross Redis. */
  publishToUser(index: number, payload: SystemNotificationPayload): Promise<void> {
    return this.post(this.pickEndpoint(), `/pub/user/${userIdOf(index)}`, JSON.stringify(payload));
  }

  publishFanout(_indexes: readonly number[], payload: SystemNotificationPayload): Promise<void> {
    return this.post(this.pickEndpoint(), '/pub/all', JSON.stringify(payload));
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private pickEndpoint(): Endpoint {
    const endpoints = this.config.endpoints;
    return endpoints[this.nextPublisher++ % endpoints.length] as Endpoint;
  }

  private post(endpoint: Endpoint, path: string, body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          ...endpoint,
          path,
          method: 'POST',
          agent: this.agent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Accept: 'text/json' },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 201 || res.statusCode === 202) resolve();
            else reject(new Error(`Nchan publish ${path}: HTTP ${res.statusCode}`));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
