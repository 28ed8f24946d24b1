import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Whether nothing listens on this loopback port right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Linux's default when /proc cannot be read (another OS, a locked-down container). */
const DEFAULT_EPHEMERAL_START = 32768;
const LOWEST_PORT = 20000;

/** The first port the kernel hands out on its own, to outgoing connections and to listen(0). */
export function ephemeralRangeStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const port = Number(start);
    return Number.isInteger(port) && port > LOWEST_PORT + 1000 ? port : DEFAULT_EPHEMERAL_START;
  } catch {
    return DEFAULT_EPHEMERAL_START;
  }
}

/** Ports this process handed out lately: a caller may not have bound one yet when it asks again. */
const handedOut: number[] = [];
const REMEMBERED = 64;

/** Which part of the range a caller picks from: `index` of `of` equal parts. */
export interface PortShare {
  index: number;
  of: number;
}

/**
 * A loopback port nothing listens on, taken below the kernel's ephemeral range. A port the
 * kernel handed out (listen(0)) is one it hands out again as the local end of any outgoing
 * connection: a server stopped and started again on its port (a restart, an outage in a test)
 * then failed with EADDRINUSE whenever some client's connection had taken it in between.
 * Processes picking at the same time (parallel test workers) pass each their own `share`, so
 * two never pick the same port between its check and its server's bind.
 */
export async function freePort(share: PortShare = { index: 0, of: 1 }): Promise<number> {
  const span = Math.floor((ephemeralRangeStart() - LOWEST_PORT) / share.of);
  const from = LOWEST_PORT + (share.index % share.of) * span;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = from + Math.floor(Math.random() * span);
    if (handedOut.includes(port) || !(await portIsFree(port))) continue;
    handedOut.push(port);
    if (handedOut.length > REMEMBERED) handedOut.shift();
    return port;
  }
  throw new Error(`no free port between ${from} and ${from + span}`);
}
