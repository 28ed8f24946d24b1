import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer,
  request,
  type IncomingMessage,
  type RequestOptions,
  type Server,
} from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DAILY_MS, DeskUpdater, type Updater } from '../../main/update/desk-updater.js';
import { desktopUpdatesDirectory } from '../../server/desktop-updates/desktop-update-routes.js';
import { startTestRedis } from '../support/redis-server.js';
import { startTestServer } from '../support/test-server.js';
import { ManualClock } from './support/manual-clock.js';

const require = createRequire(import.meta.url);
/** electron-updater's own Linux deb updater, the class `autoUpdater` is in a deb installation. */
const { DebUpdater } = require('electron-updater/out/DebUpdater.js') as {
  DebUpdater: new (options: null, app: unknown) => Updater & { httpExecutor: unknown };
};
const { ElectronHttpExecutor } = require('electron-updater/out/electronHttpExecutor.js') as {
  ElectronHttpExecutor: new () => object;
};

/**
 * electron-updater's HTTP client (redirects, download, sha512 check) with Node's `http.request`
 * standing in for Electron's `net.request`, the one call that needs Electron.
 */
class NodeNetHttpExecutor extends ElectronHttpExecutor {
  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void) {
    return request(options, callback);
  }
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The files electron-builder leaves in release/ for one Linux release (a stand-in .deb payload). */
function releaseFiles(release: { version: string; tampered?: boolean }) {
  const payload = Buffer.from(`stand-in for clinicpulse_${release.version}_amd64.deb\n`);
  const sha512 = createHash('sha512').update(payload).digest('base64');
  const installer = `clinicpulse_${release.version}_amd64.deb`;
  const latest = [
    `version: ${release.version}`,
    'files:',
    `  - url: ${installer}`,
    `    sha512: ${sha512}`,
    `    size: ${payload.length}`,
    `path: ${installer}`,
    `sha512: ${sha512}`,
    "releaseDate: '2026-11-30T08:00:00.000Z'",
    '',
  ].join('\n');
  return {
    installer,
    files: {
      'latest-linux.yml': Buffer.from(latest),
      [installer]: release.tampered ? Buffer.from('something else entirely\n') : payload,
    } as Record<string, Buffer>,
  };
}

/** A folder of release files as IT would serve it from any web server. */
async function releaseFolder(release: { version: string; tampered?: boolean }) {
  const { files } = releaseFiles(release);
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const name = (request.url ?? '').replace(/^\/desktop-updates\//, '').replace(/\?.*$/, '');
    const file = files[name];
    if (file) response.writeHead(200).end(file);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/desktop-updates`, requests };
}

/** electron-updater's DebUpdater as a deb installation of ClinicPulse 0.1.0 runs it. */
function installedApp(version = '0.1.0') {
  const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-update-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  // What electron-builder writes into resources/ (see the packaging test).
  writeFileSync(
    join(dir, 'app-update.yml'),
    'provider: generic\nurl: https://clinicpulse.invalid/desktop-updates\nupdaterCacheDirName: clinicpulse-updater\n',
  );
  // Stands in for Electron's `app` (electron-updater's AppAdapter): a packaged app at `version`.
  const app = {
    version,
    name: 'ClinicPulse',
    isPackaged: true,
    appUpdateConfigPath: join(dir, 'app-update.yml'),
    userDataPath: join(dir, 'user-data'),
    baseCachePath: join(dir, 'cache'),
    whenReady: () => Promise.resolve(),
    relaunch: () => undefined,
    quit: () => undefined,
    onQuit: () => undefined,
  };
  const updater = new DebUpdater(null, app);
  // Its console logger would only repeat in the test output what the assertions check.
  (updater as unknown as { logger: null }).logger = null;
  updater.httpExecutor = new NodeNetHttpExecutor();
  const installs: [boolean | undefined, boolean | undefined][] = [];
  // Stands in for the install step, which would run dpkg through pkexec.
  updater.quitAndInstall = (isSilent, isForceRunAfter) =>
    void installs.push([isSilent, isForceRunAfter]);
  return { updater, installs };
}

function deskUpdater(feedUrl: string | null, updater: Updater, urgent = { onScreen: false }) {
  const clock = new ManualClock();
  const log: string[] = [];
  const desk = new DeskUpdater({
    updater,
    feedUrl,
    clock,
    urgentAlertOnScreen: () => urgent.onScreen,
    log: (_level, message) => log.push(message),
  });
  cleanups.push(() => desk.stop());
  return { desk, clock, log };
}

describe('desktop updates from the clinic’s own release folder (electron-updater under Node)', () => {
  it('finds a newer release at start, downloads it in the background and offers it, never restarting over an urgent alert', async () => {
    const feed = await releaseFolder({ version: '0.2.0' });
    const { updater, installs } = installedApp('0.1.0');
    const urgent = { onScreen: true };
    const { desk, log } = deskUpdater(feed.url, updater, urgent);
    desk.start();
    await expect
      .poll(() => desk.status, { timeout: 20_000 })
      .toEqual({ status: 'ready', version: '0.2.0' });
    expect(feed.requests).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/desktop-updates\/latest-linux\.yml/),
        '/desktop-updates/clinicpulse_0.2.0_amd64.deb',
      ]),
    );
    expect(log).toContain('update 0.2.0 downloaded; it installs when ClinicPulse quits');
    expect(updater.autoInstallOnAppQuit).toBe(true);

    expect(desk.restartToInstall()).toBe('waiting_for_urgent_alert');
    expect(installs).toEqual([]);
    urgent.onScreen = false;
    expect(desk.restartToInstall()).toBe('restarting');
    expect(installs).toEqual([[false, true]]);
  });

  it('stays put when the feed has the installed version, and checks again a day later', async () => {
    const feed = await releaseFolder({ version: '0.1.0' });
    const { updater } = installedApp('0.1.0');
    const { desk, clock } = deskUpdater(feed.url, updater);
    desk.start();
    await expect.poll(() => desk.status).toMatchObject({ status: 'idle', latest: '0.1.0' });
    const checks = () => feed.requests.filter((url) => url.includes('latest-linux.yml')).length;
    expect(checks()).toBe(1);
    expect(desk.restartToInstall()).toBe('nothing_to_install');
    clock.advance(DAILY_MS - 1);
    expect(checks()).toBe(1);
    clock.advance(1);
    await expect.poll(checks).toBe(2);
    expect(feed.requests.some((url) => url.endsWith('.deb'))).toBe(false);
  });

  it('refuses a download whose checksum does not match the feed', async () => {
    const feed = await releaseFolder({ version: '0.2.0', tampered: true });
    const { updater } = installedApp('0.1.0');
    const { desk } = deskUpdater(feed.url, updater);
    desk.start();
    await expect.poll(() => desk.status.status, { timeout: 20_000 }).toBe('failed');
    expect(JSON.stringify(desk.status)).toMatch(/sha512 checksum mismatch/);
    expect(desk.restartToInstall()).toBe('nothing_to_install');
  });

  it('is off, asking nothing of anybody, when IT set no update URL', async () => {
    const { updater } = installedApp('0.1.0');
    const { desk, log } = deskUpdater(null, updater);
    desk.start();
    expect(desk.status).toMatchObject({ status: 'off' });
    expect(log[0]).toMatch(/^updates are off: no update URL is set/);
  });

  it('updates from the ClinicPulse server itself, which serves DATA_DIR/desktop-updates and nothing else', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-update-server-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const { files } = releaseFiles({ version: '0.3.0' });
    mkdirSync(desktopUpdatesDirectory(dataDir), { recursive: true });
    for (const [name, content] of Object.entries(files))
      writeFileSync(join(desktopUpdatesDirectory(dataDir), name), content);
    writeFileSync(join(dataDir, 'secret.txt'), 'not for desks');
    const server = await startTestServer({ redisUrl: redis.url, dataDir });
    cleanups.push(() => server.close());

    const feed = await fetch(`${server.url}/desktop-updates/latest-linux.yml`);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('cache-control')).toBe('no-cache');
    for (const path of ['..%2Fsecret.txt', '.hidden.yml', 'clinicpulse.db', '', 'nothing.yml']) {
      const refused = await fetch(`${server.url}/desktop-updates/${path}`);
      expect(refused.status, path).toBe(404);
      expect(await refused.json(), path).toMatchObject({ error: { code: 'not_found' } });
    }

    const { updater } = installedApp('0.1.0');
    const { desk } = deskUpdater(`${server.url}/desktop-updates`, updater);
    desk.start();
    await expect
      .poll(() => desk.status, { timeout: 20_000 })
      .toEqual({ status: 'ready', version: '0.3.0' });
  });
});
