/**
 * A real Redis Cluster for tests: three primaries with one replica each, on free loopback ports,
 * in a temporary directory, stopped at the end.
 *
 *   const cluster = await startTestRedisCluster();
 *   const server = await startTestServer({ redisUrl: cluster.url, redisClusterNodes: cluster.nodes });
 *   await cluster.killPrimaryOf('{u7}:user:7');   // kill -9; resolves once its replica is promoted
 *   await cluster.stop();
 *
 * For a replica that misses its primary's last writes: `pause(replica)` and `cutReplicas(primary)`
 * (a stopped process's kernel still takes in what is sent to it: only a closed link stops that),
 * write, `kill(primary)`, `resume(replica)`, `waitForFailover(primary)`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { redisServerArguments } from '../../scripts/redis-server-arguments.js';
import { waitForRedis } from '../../scripts/wait-for-redis.js';
import { freePort } from './redis-server.js';
import { LOOPBACK_HOST, type TestHost } from './test-host.js';

const run = promisify(execFile);

/** How long a primary may be silent before the others count it failed and promote its replica. */
const NODE_TIMEOUT_MS = 1_000;

export interface TestRedisCluster {
  /** `host:port,…` of every node, as REDIS_CLUSTER_NODES takes it. */
  nodes: string;
  /** `redis://` of the first node, for what only needs a URL shape. */
  url: string;
  ports: number[];
  /** kill -9 of the primary holding this key's slot; resolves once its replica was promoted and the cluster is ok. Returns its port. */
  killPrimaryOf(key: string): Promise<number>;
  /** kill -9 of one node, without waiting for anything. */
  kill(port: number): Promise<void>;
  /** Until the slot map no longer names this (killed) primary and the cluster is ok. */
  waitForFailover(port: number): Promise<void>;
  /** The port of the primary, and of its replica, holding this key's slot. */
  primaryOf(key: string): Promise<number>;
  replicaOf(key: string): Promise<number>;
  /** Closes a primary's links to its replicas (a paused replica cannot link up again). */
  cutReplicas(port: number): Promise<void>;
  /** SIGSTOP: the node answers nothing and reconnects to nothing / SIGCONT. */
  pause(port: number): void;
  resume(port: number): void;
  /** The primaries' ports, each with the slot ranges it holds. */
  primaries(): Promise<{ port: number; slots: [number, number][] }[]>;
  /** A client for one node (not cluster-aware), closed by the caller. */
  nodeClient(port: number): Redis;
  /**
   * Resharding: moves the slot of `key`, with its keys, to the primary on `toPort`, as
   * `redis-cli --cluster reshard` does for each slot (IMPORTING / MIGRATING, MIGRATE, SETSLOT NODE
   * on every primary); resolves once every node's slot map says so.
   */
  moveSlotOf(key: string, toPort: number): Promise<void>;
  /** The process ids of the nodes still running (the benchmark counts their CPU). */
  pids(): number[];
  stop(): Promise<void>;
}

const SHARDS = 3;

export interface TestRedisClusterOptions {
  /** Where every node runs and listens; this machine's loopback by default. */
  host?: TestHost;
}

export async function startTestRedisCluster(options: TestRedisClusterOptions = {}): Promise<TestRedisCluster> {
  const host = options.host ?? LOOPBACK_HOST;
  const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-redis-cluster-'));
  // Each node also listens on a cluster bus port, chosen here rather than Redis's port + 10000.
  const taken: number[] = [];
  while (taken.length < SHARDS * 4) {
    const port = await freePort();
    if (!taken.includes(port)) taken.push(port);
  }
  const ports = taken.slice(0, SHARDS * 2);
  const busPort = new Map(ports.map((port, i) => [port, taken[SHARDS * 2 + i]!]));
  const children = new Map<number, ChildProcess>();
  const startNode = (port: number) => {
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir, { recursive: true });
    const child = spawn(
      ...host.command([
        'redis-server',
        ...redisServerArguments({
          port,
          dir: nodeDir,
          appendOnly: false,
          bind: host.address,
          extra: [
            '--cluster-enabled', 'yes',
            '--cluster-config-file', 'nodes.conf',
            '--cluster-port', String(busPort.get(port)),
            '--cluster-node-timeout', String(NODE_TIMEOUT_MS),
            // A replica promotes itself however long it was cut off from its primary.
            '--cluster-replica-validity-factor', '0',
            '--loglevel', 'warning',
          ],
        }),
      ]),
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    children.set(port, child);
  };

  const stop = async () => {
    await Promise.all(
      [...children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    children.clear();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (const port of ports) startNode(port);
    await Promise.all(ports.map((port) => waitForRedis(port, 10_000, host.address)));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `${host.address}:${port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 30_000,
    });
    // Every slot range with its primary and its replica.
    await waitUntilOk(host.address, ports, (slots) => slots.every((range) => range.length >= 4));
  } catch (error) {
    await stop();
    throw error;
  }

  const nodeClient = (port: number) => {
    const client = new Redis(port, host.address, { maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on('error', () => undefined);
    return client;
  };

  const alive = (port: number) => children.get(port)?.exitCode === null && children.get(port)?.signalCode === null;
  const slotMap = async () => {
    const client = nodeClient(ports.find(alive)!);
    try {
      return (await client.call('CLUSTER', 'SLOTS')) as SlotRange[];
    } finally {
      client.disconnect();
    }
  };
  const rangeOf = async (key: string) => {
    const slot = calculateSlot(key);
    const range = (await slotMap()).find(([from, to]) => from <= slot && slot <= to);
    if (!range) throw new Error(`no primary holds slot ${slot}`);
    return range;
  };
  const kill = async (port: number) => {
    const child = children.get(port)!;
    if (!alive(port)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  const waitForFailover = async (port: number) => {
    const live = ports.filter(alive);
    await waitUntilOk(host.address, live, (slots) => slots.every(([, , [, primary]]) => primary !== port));
  };

  const primaries = async () => {
    const client = nodeClient(ports.find(alive)!);
    try {
      const slots = (await client.call('CLUSTER', 'SLOTS')) as SlotRange[];
      const byPort = new Map<number, [number, number][]>();
      for (const [from, to, [, port]] of slots) byPort.set(port, [...(byPort.get(port) ?? []), [from, to]]);
      return [...byPort].map(([port, ranges]) => ({ port, slots: ranges }));
    } finally {
      client.disconnect();
    }
  };

  return {
    nodes: ports.map((port) => `${host.address}:${port}`).join(','),
    url: `redis://${host.address}:${ports[0]}`,
    ports,
    nodeClient,
    primaries,
    async killPrimaryOf(key) {
      const [, , [, port]] = await rangeOf(key);
      await kill(port);
      await waitForFailover(port);
      return port;
    },
    kill,
    waitForFailover,
    async moveSlotOf(key, toPort) {
      const slot = calculateSlot(key);
      const [, , [, fromPort]] = await rangeOf(key);
      if (fromPort === toPort) throw new Error(`slot ${slot} is on ${toPort} already`);
      const from = nodeClient(fromPort);
      const to = nodeClient(toPort);
      try {
        const [fromId, toId] = [(await from.call('CLUSTER', 'MYID')) as string, (await to.call('CLUSTER', 'MYID')) as string];
        await to.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
        await from.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
        for (;;) {
          const keys = (await from.call('CLUSTER', 'GETKEYSINSLOT', slot, 100)) as string[];
          if (keys.length === 0) break;
          await from.call('MIGRATE', host.address, toPort, '', 0, 5_000, 'KEYS', ...keys);
        }
        const primaryPorts = (await primaries()).map(({ port }) => port);
        for (const port of new Set([toPort, fromPort, ...primaryPorts])) {
          const node = nodeClient(port);
          try {
            await node.call('CLUSTER', 'SETSLOT', slot, 'NODE', toId);
          } finally {
            node.disconnect();
          }
        }
      } finally {
        from.disconnect();
        to.disconnect();
      }
      await waitUntilOk(host.address, ports.filter(alive), (slots) => slots.some(([lo, hi, [, port]]) => lo <= slot && slot <= hi && port === toPort));
    },
    pids: () => [...children.values()].filter((child) => child.exitCode === null && child.signalCode === null).map((child) => child.pid as number),
    primaryOf: async (key) => (await rangeOf(key))[2][1],
    async replicaOf(key) {
      const replica = (await rangeOf(key))[3] as [string, number] | undefined;
      if (!replica) throw new Error(`the slot of ${key} has no replica`);
      return replica[1];
    },
    async cutReplicas(port) {
      const client = nodeClient(port);
      try {
        await client.call('CLIENT', 'KILL', 'TYPE', 'replica');
      } finally {
        client.disconnect();
      }
    },
    pause: (port) => children.get(port)?.kill('SIGSTOP'),
    resume: (port) => children.get(port)?.kill('SIGCONT'),
    stop,
  };
}

type SlotRange = [number, number, [string, number, ...unknown[]], ...unknown[]];

/**
 * Until every live node says `cluster_state:ok`, knows all 16,384 slots, and (when given) its
 * slot map passes `check`.
 */
async function waitUntilOk(address: string, ports: number[], check: (slots: SlotRange[]) => boolean = () => true): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answers = await Promise.all(
      ports.map(async (port) => {
        const client = new Redis(port, address, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        client.on('error', () => undefined);
        try {
          await client.connect();
          const info = (await client.call('CLUSTER', 'INFO')) as string;
          const slots = (await client.call('CLUSTER', 'SLOTS')) as SlotRange[];
          const covered = slots.reduce((sum, [from, to]) => sum + to - from + 1, 0);
          return info.includes('cluster_state:ok') && covered === 16_384 && check(slots);
        } catch {
          return false;
        } finally {
          client.disconnect();
        }
      }),
    );
    if (answers.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error('the test Redis Cluster did not become ok within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
