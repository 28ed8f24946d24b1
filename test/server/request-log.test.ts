import express from 'express';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestLog } from '../../server/http/request-log.js';
import { REDACTED_PATHS } from '../../server/logger.js';

interface LogLine {
  level: number;
  msg: string;
  req: { id: number; method: string; url: string; headers?: unknown };
  res: { statusCode: number };
  responseTime: number;
}

const lines: LogLine[] = [];
let url = '';
let close: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const logger = pino({ level: 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
  const app = express();
  app.use(requestLog(logger, (path) => path === '/healthz'));
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/api/things', (_req, res) => void res.json({ things: [] }));
  app.get('/api/broken', () => {
    throw new Error('boom');
  });
  app.use((_req: express.Request, res: express.Response) => void res.status(404).json({ error: { code: 'not_found', message: 'no' } }));
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).json({ error: { code: 'internal', message: 'x' } }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await close();
});

const lineFor = async (path: string) => {
  await expect.poll(() => lines.some((line) => line.req?.url === path)).toBe(true);
  return lines.find((line) => line.req.url === path) as LogLine;
};

describe('the request log', () => {
  it('writes one line per answered request: id, method, path, status, time, and never a header', async () => {
    await fetch(`${url}/api/things?page=2`, { headers: { authorization: 'Bearer secret-token-value', cookie: 'session=abc' } });
    const line = await lineFor('/api/things?page=2');
    expect(line).toMatchObject({ level: 30, msg: 'request completed', req: { method: 'GET', url: '/api/things?page=2' }, res: { statusCode: 200 } });
    expect(line.req.id).toBeGreaterThan(0);
    expect(line.responseTime).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(lines)).not.toMatch(/secret-token-value|session=abc/);
  });

  it('logs a 4xx as a warning and a 5xx as an error, and skips the health checks', async () => {
    await fetch(`${url}/api/nothing`);
    await fetch(`${url}/api/broken`);
    await fetch(`${url}/healthz`);
    expect(await lineFor('/api/nothing')).toMatchObject({ level: 40, msg: 'request completed', res: { statusCode: 404 } });
    expect(await lineFor('/api/broken')).toMatchObject({ level: 50, msg: 'request errored', res: { statusCode: 500 } });
    const ids = lines.map((line) => line.req.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(lines.some((line) => line.req.url === '/healthz')).toBe(false);
  });
});
