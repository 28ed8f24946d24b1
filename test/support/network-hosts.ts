/**
 * Test "hosts": Linux network namespaces on one bridge, each with its own address, so server
 * processes, Redis and PostgreSQL run as on separate machines and the network between them can
 * fail. Root only; `networkHostsUnavailable()` says why not where they cannot be made.
 *
 *   const network = await startTestNetwork(['data', 'app1', 'app2']);
 *   network.address('app1');                   // 10.231.<n>.11 (data .10, app2 .12, …)
 *   network.runnerAddress;                     // 10.231.<n>.1: this process, in the root namespace
 *   const redis = await startTestRedis({ host: network.host('data') });   // and the other harnesses
 *   spawn(...network.host('data').command(['redis-server', …]));  // ip netns exec <namespace> redis-server …
 *   await network.cutLink('app1');             // its cable pulled: nothing in or out, sockets stay open
 *   await network.restoreLink('app1');
 *   await network.dropBetween('app1', 'data'); // only these two stop hearing each other
 *   await network.restoreBetween('app1', 'data');
 *   await network.stop();                      // every process in it killed, every namespace and link gone
 *
 * Each network claims a free /24 of 10.231.0.0/16 by creating its bridge (which fails if the name
 * is taken), so test files running in parallel never share one. The bridge's device group is the
 * owner's pid, set in the same `ip link add`: a network left by a run that was killed is removed
 * by the next one that starts, and one being made is never mistaken for it. Every name starts
 * with `cpnet<n>-`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { TestHost } from './test-host.js';

const run = promisify(execFile);

const PREFIX = 'cpnet';
const FIRST_HOST_OCTET = 10;

const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((path) => existsSync(path));

export interface TestNetwork {
  /** Which /24 of 10.231.0.0/16 this network has: 10.231.<subnet>.0. */
  readonly subnet: number;
  /** This process's address on the bridge: every host reaches the test runner here. */
  readonly runnerAddress: string;
  /** `10.231.<subnet>.0/24`: every host's address and the runner's. */
  readonly cidr: string;
  readonly hosts: readonly string[];
  address(host: string): string;
  /** The host as the test harnesses take it: its address, and how to run a program there. */
  host(host: string): TestHost;
  /** The namespace's name, for `ip netns exec` by hand while debugging. */
  namespace(host: string): string;
  /** Takes the host off the bridge, as a pulled cable: packets are lost, nobody is told. */
  cutLink(host: string): Promise<void>;
  restoreLink(host: string): Promise<void>;
  /** The two hosts lose every packet to each other (both ways); every other path stays. */
  dropBetween(a: string, b: string): Promise<void>;
  restoreBetween(a: string, b: string): Promise<void>;
  /** Kills what still runs in its namespaces and removes them, their links and the bridge. */
  stop(): Promise<void>;
}

/** Why network namespaces cannot be made here, or null when they can. */
export function networkHostsUnavailable(): string | null {
  if (process.platform !== 'linux') return `network namespaces are Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (run the tests as root, as CI does)';
  if (!IP) return 'the ip command is missing (Debian: apt-get install iproute2)';
  const probe = `${PREFIX}probe-${process.pid}`;
  try {
    execFileSync(IP, ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync(IP, ['netns', 'del', probe], { stdio: 'pipe' });
  } catch (error) {
    return `ip netns add failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
  return null;
}

async function ip(...args: string[]): Promise<string> {
  if (!IP) throw new Error('the ip command is missing');
  try {
    return (await run(IP, args)).stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`ip ${args.join(' ')}: ${stderr?.trim() || String(error)}`);
  }
}

interface LinkInfo {
  ifname: string;
  /** The device group: on a bridge of ours, its owner's pid. */
  group?: string;
}

async function links(): Promise<LinkInfo[]> {
  return JSON.parse(await ip('-j', 'link', 'show')) as LinkInfo[];
}

async function namespaces(): Promise<string[]> {
  const listed = (await ip('-j', 'netns', 'list')).trim();
  return listed === '' ? [] : (JSON.parse(listed) as { name: string }[]).map((entry) => entry.name);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGKILL to every process in the namespace (started there by a test), then removes it. */
async function removeNamespace(name: string): Promise<void> {
  const pids = (await ip('netns', 'pids', name).catch(() => ''))
    .split('\n')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + 5_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await ip('netns', 'del', name).catch(() => undefined);
}

/** The network `cpnet<n>`: its namespaces, its hosts' links (the root ends of their veths), then its bridge. */
async function removeNetwork(subnet: number, knownLinks: LinkInfo[], knownNamespaces: string[]): Promise<void> {
  const own = `${PREFIX}${subnet}-`;
  // Deleting a veth's root end deletes its namespace end at once; a namespace goes asynchronously.
  for (const link of knownLinks) if (link.ifname.startsWith(own) && link.ifname !== bridgeName(subnet)) await ip('link', 'del', link.ifname).catch(() => undefined);
  for (const name of knownNamespaces) if (name.startsWith(own)) await removeNamespace(name);
  await ip('link', 'del', bridgeName(subnet)).catch(() => undefined);
}

function bridgeName(subnet: number): string {
  return `${PREFIX}${subnet}-br`;
}

/** Networks whose owner process is gone (a test run that was killed): removed, so their subnets are free again. */
async function removeLeftovers(): Promise<void> {
  // Namespaces first: one seen here whose bridge is gone below is an orphan, since a bridge is
  // made before its namespaces and removed after them.
  const seenNamespaces = await namespaces();
  const seenLinks = await links();
  for (const name of seenNamespaces) {
    const probe = new RegExp(`^${PREFIX}probe-(\\d+)$`).exec(name);
    if (probe && !alive(Number(probe[1]))) await removeNamespace(name);
  }
  const subnets = new Set<number>();
  for (const name of [...seenNamespaces, ...seenLinks.map((link) => link.ifname)]) {
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (match) subnets.add(Number(match[1]));
  }
  for (const subnet of subnets) {
    const bridge = seenLinks.find((link) => link.ifname === bridgeName(subnet));
    const owner = Number(bridge?.group);
    if (bridge && Number.isInteger(owner) && owner > 0 && alive(owner)) continue;
    await removeNetwork(subnet, seenLinks, seenNamespaces);
  }
}

/** Claims the first free subnet: creating its bridge is the claim, since a second `ip link add` of that name fails. */
async function claimSubnet(): Promise<number> {
  let refusal = '';
  for (let subnet = 1; subnet < 255; subnet++) {
    try {
      await ip('link', 'add', bridgeName(subnet), 'group', String(process.pid), 'type', 'bridge');
      return subnet;
    } catch (error) {
      refusal = (error as Error).message;
    }
  }
  throw new Error(`no free subnet in 10.231.0.0/16 for a test network (last: ${refusal})`);
}

/** A fake hardware address nobody has: frames sent to it reach no host. */
const NOWHERE_MAC = '02:00:00:00:00:00';

export async function startTestNetwork(hosts: string[]): Promise<TestNetwork> {
  for (const host of hosts) {
    // Names are capped at 15 characters: `cpnet254-` leaves 6.
    if (!/^[a-z][a-z0-9]{0,5}$/.test(host) || host === 'br') throw new Error(`host name "${host}": up to 6 lowercase letters and digits, not "br"`);
  }
  await removeLeftovers();
  const subnet = await claimSubnet();
  const bridge = bridgeName(subnet);
  const base = `10.231.${subnet}`;
  const addressOf = new Map(hosts.map((host, index) => [host, `${base}.${FIRST_HOST_OCTET + index}`]));
  const namespaceOf = (host: string) => {
    if (!addressOf.has(host)) throw new Error(`no host "${host}" in this test network`);
    return `${PREFIX}${subnet}-${host}`;
  };
  const stop = () => removeNetwork(subnet, [...hosts.map((host) => ({ ifname: namespaceOf(host) }))], hosts.map(namespaceOf));

  try {
    await ip('addr', 'add', `${base}.1/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
    for (const host of hosts) {
      const namespace = namespaceOf(host);
      await ip('netns', 'add', namespace);
      // The root end is named like the namespace; inside, the host sees eth0.
      await ip('link', 'add', namespace, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace);
      await ip('link', 'set', namespace, 'master', bridge, 'up');
      await ip('-n', namespace, 'addr', 'add', `${addressOf.get(host)}/24`, 'dev', 'eth0');
      await ip('-n', namespace, 'link', 'set', 'eth0', 'up');
      await ip('-n', namespace, 'link', 'set', 'lo', 'up');
    }
  } catch (error) {
    await stop();
    throw error;
  }

  // Each side's entry for the other points at a hardware address nobody has: the switch passes
  // the frames on, no host takes them, and nothing tells either side (no ICMP, no reset).
  const setNeighbours = async (a: string, b: string, lost: boolean) => {
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const args = ['-n', namespaceOf(from), 'neigh'];
      if (lost) await ip(...args, 'replace', addressOf.get(to)!, 'lladdr', NOWHERE_MAC, 'nud', 'permanent', 'dev', 'eth0');
      else await ip(...args, 'del', addressOf.get(to)!, 'dev', 'eth0').catch(() => undefined);
    }
  };

  const address = (host: string) => {
    namespaceOf(host);
    return addressOf.get(host)!;
  };
  return {
    subnet,
    runnerAddress: `${base}.1`,
    cidr: `${base}.0/24`,
    hosts,
    address,
    host: (host) => ({ address: address(host), command: (argv) => [IP!, ['netns', 'exec', namespaceOf(host), ...argv]] }),
    namespace: namespaceOf,
    // The bridge's end goes down: the host's own interface keeps its address and routes, so
    // its programs keep sending into the void rather than being told the network is unreachable.
    cutLink: async (host) => void (await ip('link', 'set', namespaceOf(host), 'down')),
    restoreLink: async (host) => void (await ip('link', 'set', namespaceOf(host), 'up')),
    dropBetween: (a, b) => setNeighbours(a, b, true),
    restoreBetween: (a, b) => setNeighbours(a, b, false),
    stop,
  };
}
