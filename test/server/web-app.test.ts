import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { startServer, type RunningServer } from '../../server/server.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET with exactly the headers given (fetch would add and undo Accept-Encoding itself). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
    }).on('error', reject);
  });
}

const SCRIPT = `console.log(${JSON.stringify('ClinicPulse '.repeat(400))});\n`;
const HASHED = '/assets/index-DGNIObEu.js';

let redis: TestRedis;
let web: RunningServer;
let webRoot: string;
let dataDir: string;

beforeAll(async () => {
  redis = await startTestRedis();
  webRoot = mkdtempSync(join(tmpdir(), 'clinicpulse-web-'));
  dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-data-'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>ClinicPulse</title>');
  writeFileSync(join(webRoot, 'secret.txt'), 'outside the assets, but inside the root');
  // What the build writes: the file and its precompressed copies.
  writeFileSync(join(webRoot, HASHED), SCRIPT);
  writeFileSync(join(webRoot, `${HASHED}.br`), brotliCompressSync(SCRIPT));
  writeFileSync(join(webRoot, `${HASHED}.gz`), gzipSync(SCRIPT));
  web = await startServer(
    loadConfig({ PORT: '0', REDIS_URL: redis.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
    { webRoot },
  );
});

afterAll(async () => {
  await web?.close();
  await redis?.stop();
  for (const dir of [webRoot, dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the web UI files', () => {
  it('go out brotli-compressed to a browser that accepts it, gzip to one that accepts only gzip, plain otherwise', async () => {
    const brotli = await rawGet(`${web.url}${HASHED}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(brotli.status).toBe(200);
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers['content-type']).toMatch(/javascript/);
    expect(brotli.headers.vary).toMatch(/Accept-Encoding/i);
    expect(brotliDecompressSync(brotli.body).toString()).toBe(SCRIPT);
    expect(brotli.body.length).toBeLessThan(SCRIPT.length / 4);

    const gzip = await rawGet(`${web.url}${HASHED}`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(SCRIPT);

    const plain = await rawGet(`${web.url}${HASHED}`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  it('cache hashed assets for a year as immutable and revalidate index.html on every load', async () => {
    const asset = await rawGet(`${web.url}${HASHED}`, { 'accept-encoding': 'br' });
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const path of ['/', '/index.html', '/conversations/3']) {
      const page = await rawGet(`${web.url}${path}`);
      expect(page.status).toBe(200);
      expect(page.body.toString()).toContain('<title>ClinicPulse</title>');
      expect(page.headers['cache-control']).toBe('no-cache');
    }
    const unhashed = await rawGet(`${web.url}/secret.txt`);
    expect(unhashed.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('stay inside the build folder and 404 a missing asset', async () => {
    expect((await rawGet(`${web.url}/assets/gone-DGNIObEu.js`)).status).toBe(404);
    for (const path of [
      '/..%2f..%2fetc%2fpasswd',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/%00.js',
    ]) {
      const response = await rawGet(`${web.url}${path}`);
      expect(response.status).toBe(404);
      expect(response.body.toString()).not.toMatch(/root:|"name"/);
    }
  });
});
