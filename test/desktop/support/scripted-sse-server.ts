import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ConnectionScript = (res: ServerResponse, req: IncomingMessage) => void;

/**
 * A real HTTP server on loopback whose n-th stream request is answered by the n-th script (the
 * last one repeats), and `/healthz` while `healthy()` (otherwise that connection is dropped, as
 * by a server that is away). For what the clinic server would never do on purpose: fall silent,
 * answer 503 again and again.
 */
export async function startScriptedSseServer(
  scripts: ConnectionScript[],
  { healthy = () => true }: { healthy?: () => boolean } = {},
) {
  const requests: IncomingMessage[] = [];
  /** `GET /healthz` probes, apart from the stream requests the scripts answer. */
  const probes: IncomingMessage[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      probes.push(req);
      if (healthy())
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      else res.destroy();
      return;
    }
    requests.push(req);
    open.add(res);
    res.on('close', () => open.delete(res));
    const script = scripts[Math.min(requests.length, scripts.length) - 1];
    script?.(res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    probes,
    /** Requests whose connection is still open. */
    get openCount() {
      return open.size;
    },
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export const sseHead = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write('retry: 100\n\n');
};

/** As the clinic server frames them: control frames named after their type, events unnamed. */
export const frame = (id: number | null, type: string, data: object) =>
  `${id === null ? '' : `id: ${id}\n`}${type === 'ready' || type === 'resync' ? `event: ${type}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

export const notice = (id: number) => ({
  id,
  type: 'system_notification',
  content: `notice ${id}`,
  timestamp: '2025-01-20T10:30:00Z',
});
