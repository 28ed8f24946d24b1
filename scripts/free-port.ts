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

/**
 * A loopback port nothing listens on, taken below the kernel's ephemeral range. A port the
 * kernel handed out (listen(0)) is one it hands out again as the local end of any outgoing
 * connection: a server stopped and started again on its port (a restart, an outage in a test)
 * then failed with EADDRINUSE whenever some client's connection had taken it in between.
 */
export async function freePort(): Promise<number> {
  const span = ephemeralRangeStart() - LOWEST_PORT;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST_PORT + Math.floor(Math.random() * span);
    if (await portIsFree(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST_PORT} and ${LOWEST_PORT + span}`);
}
