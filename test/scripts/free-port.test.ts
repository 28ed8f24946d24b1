import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ephemeralRangeStart, freePort, portIsFree } from '../../scripts/free-port.js';

const opened: Array<Server | Socket> = [];

afterEach(() => {
  for (const handle of opened.splice(0)) {
    if ('destroy' in handle) handle.destroy();
    else handle.close();
  }
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    opened.push(server);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('freePort', () => {
  it('why: the local end of an outgoing connection holds its port against a server started on it', async () => {
    const target = await listen(0);
    const targetPort = (target.address() as { port: number }).port;
    const client = connect(targetPort, '127.0.0.1');
    opened.push(client);
    await new Promise((resolve) => client.once('connect', resolve));
    const clientPort = client.localPort!;
    expect(clientPort).toBeGreaterThanOrEqual(ephemeralRangeStart());
    await expect(listen(clientPort)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('hands out ports below the range the kernel gives outgoing connections, each free to listen on', async () => {
    const start = ephemeralRangeStart();
    for (let i = 0; i < 50; i++) {
      const port = await freePort();
      expect(port).toBeLessThan(start);
      expect(await portIsFree(port)).toBe(true);
    }
  });

  it('keeps parallel callers apart: each share of the range is its own', async () => {
    const start = ephemeralRangeStart();
    const span = Math.floor((start - 20000) / 8);
    for (const index of [0, 1, 7]) {
      for (let i = 0; i < 20; i++) {
        const port = await freePort({ index, of: 8 });
        expect(port).toBeGreaterThanOrEqual(20000 + index * span);
        expect(port).toBeLessThan(20000 + (index + 1) * span);
      }
    }
  });

  it('does not hand out a port again while its caller may not have bound it yet', async () => {
    // A share of twelve ports: ten random picks would repeat one almost surely.
    const ports = [];
    for (let i = 0; i < 10; i++) ports.push(await freePort({ index: 5, of: 1000 }));
    expect(new Set(ports).size).toBe(10);
  });

  it('portIsFree: no for a port something listens on', async () => {
    const port = await freePort();
    await listen(port);
    expect(await portIsFree(port)).toBe(false);
  });
});
