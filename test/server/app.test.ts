import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { startServer } from '../../server/server.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  api,
  DEMO_PASSWORD,
  login,
  startTestServer,
  type TestServer,
} from '../support/test-server.js';

let redis: TestRedis;
let server: TestServer;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  client = api(server.url, (await login(server.url, 'dr.smith', DEMO_PASSWORD)).token);
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

const noStackTrace = (text: string) => expect(text).not.toMatch(/\bat .+:\d+:\d+|node_modules/);

describe('probes and metrics', () => {
  it('GET /healthz is 200 {status:"ok"}', async () => {
    expect(await api(server.url).get('/healthz')).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
  });

  it('GET /readyz is 200 when Redis and SQLite answer', async () => {
    expect(await api(server.url).get('/readyz')).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { redis: 'ok', database: 'ok', events: 'ok' } },
    });
  });

  it('GET /metrics is Prometheus text with the event and platform series', async () => {
    const response = await api(server.url).get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    for (const series of [
      'clinicpulse_open_streams',
      'clinicpulse_events_published_total',
      'clinicpulse_resyncs_total',
      'clinicpulse_slow_clients_closed_total',
      'clinicpulse_redis_connected 1',
      'clinicpulse_outbox_pending 0',
      'clinicpulse_process_cpu_seconds_total',
    ]) {
      expect(response.body).toContain(series);
    }
  });
});

describe('bad requests get 4xx JSON, never a stack trace', () => {
  it('malformed JSON → 400 invalid_json', async () => {
    const response = await client.post('/api/admin/users', '{"username": ');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'invalid_json', message: expect.any(String) } });
    noStackTrace(JSON.stringify(response.body));
  });

  it('a body over 64 kB → 413 payload_too_large', async () => {
    const response = await api(server.url).post('/api/auth/login', {
      username: 'dr.smith',
      password: 'x'.repeat(70_000),
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
  });

  it('an unknown /api path → 404 JSON', async () => {
    for (const [method, path] of [
      ['GET', '/api/no/such/thing'],
      ['POST', '/api/me'],
      ['DELETE', '/api/users'],
    ]) {
      const response = await client.request(method as string, path as string);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
      expect(response.body.error.message).toContain(path);
    }
  });

  it('an unknown /api path without a session → 401 JSON (nothing is revealed)', async () => {
    const response = await api(server.url).get('/api/no/such/thing');
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthorized');
  });
});

describe('HTTP hygiene', () => {
  it('sends security headers with a CSP that allows no inline script and connects only to itself', async () => {
    const response = await api(server.url).get('/healthz');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toMatch(/connect-src 'self'/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('never compresses, not even when the client asks for it', async () => {
    const response = await client.get('/api/users', { 'accept-encoding': 'gzip, br' });
    expect(response.headers.get('content-encoding')).toBeNull();
  });
});

describe('readiness without Redis', () => {
  it('GET /readyz is 503 JSON while Redis is down, /healthz stays 200, and readiness returns with Redis', async () => {
    await redis.stop({ keepData: true });
    const down = await api(server.url).get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('unavailable');
    expect(down.body.checks.database).toBe('ok');
    expect(down.body.checks.redis).not.toBe('ok');
    // No desk is sent here (by a load balancer asking /readyz) while streams cannot open.
    expect(down.body.checks.events).toBe('the Redis subscriber is not ready');
    expect((await api(server.url).get('/healthz')).status).toBe(200);

    await redis.start();
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      status = (await api(server.url).get('/readyz')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  });
});

describe('the web UI', () => {
  /** A server with its own built web UI (an index page, a script and its source map). */
  async function withWebUi(env: Record<string, string>, check: (url: string) => Promise<void>) {
    const webRoot = mkdtempSync(join(tmpdir(), 'clinicpulse-web-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-data-'));
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>ClinicPulse</title>');
    writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(webRoot, 'assets', 'app.js.map'), '{"version":3}');
    const web = await startServer(loadConfig({ PORT: '0', REDIS_URL: redis.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }), { webRoot });
    try {
      await check(web.url);
    } finally {
      await web.close();
      rmSync(webRoot, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it('serves the built files, falls back to index.html for client routes, and 404s missing files', async () => {
    await withWebUi({}, async (url) => {
      const page = await api(url).get('/');
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>ClinicPulse</title>');
      expect((await api(url).get('/conversations/3')).body).toContain('<title>ClinicPulse</title>');
      const asset = await api(url).get('/assets/app.js');
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
      expect((await api(url).get('/assets/gone.js')).status).toBe(404);
      // /api never falls back to the page.
      expect((await api(url).get('/api/nothing')).headers.get('content-type')).toMatch(/json/);
      // Development serves the source map; production (below) does not.
      expect((await api(url).get('/assets/app.js.map')).status).toBe(200);
    });
  });

  it('serves no source map in production', async () => {
    await withWebUi({ NODE_ENV: 'production' }, async (url) => {
      expect((await api(url).get('/assets/app.js')).status).toBe(200);
      expect((await api(url).get('/assets/app.js.map')).status).toBe(404);
    });
  });
});
