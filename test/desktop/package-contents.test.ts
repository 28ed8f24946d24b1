import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import asar from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import type { Configuration } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_FILE_NAME, buildDesktop, type DesktopBuild } from '../../scripts/build-desktop.js';
import { writeStandInElectronDist } from './support/stand-in-electron-dist.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * app.asar today is about 2 MB (the renderer with its compressed copies, clinical alerting
 * included); the budget catches a stray dependency tree (8 MB and more).
 */
const ASAR_BUDGET_BYTES = 2_500_000;

const SERVER_PACKAGES = [
  'express',
  'ioredis',
  'better-sqlite3',
  'pg',
  'pino',
  'helmet',
  'prom-client',
  'cookie',
  'dotenv',
  'express-rate-limit',
];
const SECRET_PATTERNS: [string, RegExp][] = [
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['AWS access key', /AKIA[0-9A-Z]{16}/],
  ['GitHub token', /gh[pousr]_[A-Za-z0-9]{36}/],
  ['hard-coded bearer token', /Bearer [A-Za-z0-9._~+/-]{20,}/],
  ['environment file content', /^(REDIS_URL|SESSION_SECRET|DATABASE_URL|DATA_DIR)=/m],
];

/**
 * electron-builder's own config reader and Linux package defaults, from app-builder-lib (the
 * library the electron-builder CLI runs), so the config is read and validated as the build does.
 */
const builderInternals = createRequire(
  join(ROOT, 'node_modules', 'electron-builder', 'package.json'),
);
const { getConfig, validateConfiguration } = builderInternals(
  'app-builder-lib/out/util/config/config.js',
) as {
  getConfig(projectDir: string, configPath: string, options: null): Promise<Configuration>;
  validateConfiguration(config: Configuration, logger: unknown): Promise<void>;
};
const { DebugLogger } = builderInternals('builder-util') as {
  DebugLogger: new (enabled: boolean) => unknown;
};
const fpmDefaults = (
  builderInternals('app-builder-lib/out/targets/FpmTarget.js') as {
    default: { prototype: { getDefaultDepends(target: string): string[] } };
  }
).default.prototype;

function filesUnder(directory: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(relative(directory, path).split('\\').join('/'));
    }
  };
  walk(directory);
  return found.sort();
}

async function builderConfig(): Promise<Configuration> {
  const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

/**
 * The real electron-builder, run offline as `npm run dist` runs it (`--linux dir`), on the real
 * build:desktop output, against a STAND-IN Electron distribution (support/stand-in-electron-dist.ts:
 * not Electron, only the files electron-builder copies). What it produces is then opened with
 * @electron/asar: the test reads the package a desk would install, not the config's globs.
 */
describe('the desktop package electron-builder makes', () => {
  let work: string;
  let built: DesktopBuild;
  let rendererDir: string;
  let unpacked: string;
  let asarPath: string;
  let entries: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'clinicpulse-package-'));
    rendererDir = join(work, 'renderer');
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--config',
        'renderer/vite.config.ts',
        '--outDir',
        rendererDir,
        '--emptyOutDir',
        '--logLevel',
        'error',
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
    built = await buildDesktop({ outDir: join(work, 'app'), rendererDir });
    const electronDist = writeStandInElectronDist(join(work, 'stand-in-electron'));
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'electron-builder', 'cli.js'),
        '--config',
        'electron-builder.yml',
        '--linux',
        'dir',
        '--publish',
        'never',
        `--config.electronDist=${electronDist}`,
        `--config.directories.app=${built.outDir}`,
        `--config.directories.output=${join(work, 'release')}`,
      ],
      // No network is reachable here; a download attempt would fail the build, and so the test.
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: 'true' } },
    );
    unpacked = join(work, 'release', 'linux-unpacked');
    asarPath = join(unpacked, 'resources', 'app.asar');
    entries = asar
      .listPackage(asarPath, { isPack: false })
      .map((entry) => entry.split('\\').join('/').replace(/^\//, ''))
      .filter((entry) => {
        const stat = asar.statFile(asarPath, entry, false) as { files?: unknown };
        return stat.files === undefined;
      })
      .sort();
  }, 180_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('app.asar holds exactly main.cjs, preload.cjs, package.json, the icons and the renderer build, within its size budget', () => {
    expect(built.rendererIncluded).toBe(true);
    // The renderer build's source maps stay out (`!**/*.map`): they would carry the sources; so
    // do its precompressed copies, which only the server's HTTP clients use.
    const renderer = filesUnder(rendererDir)
      .filter((file) => !/\.(map|br|gz)$/.test(file))
      .map((file) => `renderer/${file}`);
    expect(renderer).toContain('renderer/index.html');
    expect(entries).toEqual(
      [
        'assets/icon.png',
        'assets/tray-unread.png',
        'assets/tray-unread@2x.png',
        'assets/tray.png',
        'assets/tray@2x.png',
        'assets/unread-overlay.png',
        'main.cjs',
        'package.json',
        'preload.cjs',
        ...renderer,
      ].sort(),
    );
    expect(statSync(asarPath).size).toBeLessThan(ASAR_BUDGET_BYTES);
  });

  it('packs no node_modules, no server code, no source maps, no environment or key files, and no secret in any file', () => {
    expect(entries.filter((entry) => /(^|\/)node_modules\//.test(entry))).toEqual([]);
    expect(entries.filter((entry) => /\.map$/.test(entry))).toEqual([]);
    expect(
      entries.filter((entry) => /(^|\/)\.env|\.(pem|key|p12|pfx|crt)$|id_rsa|\.npmrc$/.test(entry)),
    ).toEqual([]);
    expect(existsSync(join(unpacked, 'resources', 'app.asar.unpacked'))).toBe(false);
    for (const entry of entries) {
      const text = asar.extractFile(asarPath, entry).toString('latin1');
      for (const [what, pattern] of SECRET_PATTERNS)
        expect(pattern.test(text), `${what} in ${entry}`).toBe(false);
    }
    const code = ['main.cjs', 'preload.cjs']
      .map((entry) => asar.extractFile(asarPath, entry).toString('utf8'))
      .join('\n');
    for (const name of SERVER_PACKAGES)
      expect(code, name).not.toMatch(new RegExp(`require\\(["']${name}["']\\)`));
    const allowed =
      /^(main|common)\/|^node_modules\/(eventsource|eventsource-parser|zod|electron-updater|builder-util-runtime|semver|lazy-val|js-yaml|argparse|sax|debug|ms|supports-color|has-flag|fs-extra|graceful-fs|jsonfile|universalify|lodash\.escaperegexp|lodash\.isequal|tiny-typed-emitter|electron-updater\/node_modules\/semver)\//;
    expect(built.inputs.filter((input) => !allowed.test(input))).toEqual([]);
    // The preload needs only channel names and ipcRenderer.
    expect(asar.extractFile(asarPath, 'preload.cjs').length).toBeLessThan(4_000);
  });

  it("the app's package.json declares no dependencies and names the .desktop file the Linux packages install", async () => {
    const manifest = JSON.parse(
      asar.extractFile(asarPath, 'package.json').toString('utf8'),
    ) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      name: 'clinicpulse',
      productName: 'ClinicPulse',
      main: 'main.cjs',
      desktopName: DESKTOP_FILE_NAME,
    });
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'scripts'])
      expect(manifest).not.toHaveProperty(field);
    const config = await builderConfig();
    // linux.syncDesktopName installs /usr/share/applications/<desktopName>.
    expect(config.linux?.syncDesktopName).toBe(true);
    expect(`${config.linux?.executableName}.desktop`).toBe(DESKTOP_FILE_NAME);
  });

  it('next to app.asar lie only the IT preset and the update feed settings', () => {
    expect(readdirSync(join(unpacked, 'resources')).sort()).toEqual([
      'app-config.json',
      'app-update.yml',
      'app.asar',
    ]);
    const preset = JSON.parse(
      readFileSync(join(unpacked, 'resources', 'app-config.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(Object.keys(preset).filter((key) => key !== 'serverUrl' && key !== 'updateUrl')).toEqual(
      [],
    );
    expect(existsSync(join(unpacked, 'clinicpulse'))).toBe(true);
  });

  it('flips the fuses in the packaged executable: no run-as-node, NODE_OPTIONS or --inspect; encrypted cookies; only the integrity-checked app.asar', async () => {
    const wire = await getCurrentFuseWire(join(unpacked, 'clinicpulse'));
    const on = 49;
    const off = 48;
    expect({
      runAsNode: wire[FuseV1Options.RunAsNode],
      cookieEncryption: wire[FuseV1Options.EnableCookieEncryption],
      nodeOptions: wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable],
      inspect: wire[FuseV1Options.EnableNodeCliInspectArguments],
      asarIntegrity: wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation],
      onlyAsar: wire[FuseV1Options.OnlyLoadAppFromAsar],
      fileProtocolPrivileges: wire[FuseV1Options.GrantFileProtocolExtraPrivileges],
    }).toEqual({
      runAsNode: off,
      cookieEncryption: on,
      nodeOptions: off,
      inspect: off,
      asarIntegrity: on,
      onlyAsar: on,
      fileProtocolPrivileges: off,
    });
  });
});

describe('the installer configuration (targets that cannot be built offline here)', () => {
  it('ships deb and rpm, not the AppImage that aborts on Ubuntu 24.04, with every default dependency electron-builder would list', async () => {
    const config = await builderConfig();
    const targets = (config.linux?.target as string[] | undefined) ?? [];
    expect([...targets].sort()).toEqual(['deb', 'rpm']);
    expect(config.deb?.depends).toEqual(
      expect.arrayContaining(fpmDefaults.getDefaultDepends('deb')),
    );
    expect(config.deb?.depends).toContain('libsecret-1-0');
    expect(config.rpm?.depends).toEqual(
      expect.arrayContaining(fpmDefaults.getDefaultDepends('rpm')),
    );
  });

  it('asks for every fuse, registers clinicpulse:// and has an update feed and signing settings per OS', async () => {
    const config = await builderConfig();
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.protocols).toEqual([{ name: 'ClinicPulse', schemes: ['clinicpulse'] }]);
    expect(config.publish).toMatchObject({ provider: 'generic' });
    expect(config.mac).toMatchObject({ hardenedRuntime: true, notarize: true });
    expect(config.mac?.target).toEqual(expect.arrayContaining(['dmg', 'zip']));
  });
});
