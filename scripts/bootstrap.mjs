#!/usr/bin/env node
// @ts-check
// Runs before `npm start` and `npm test`, in plain JavaScript because it must work before the
// project's dependencies are installed: installs node_modules when missing or stale, then the
// system packages named on the command line (redis, postgresql, chromium, iproute2) from Debian when they are absent.
// Idempotent: on a prepared machine it only checks and returns.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @type {Record<string, { debianPackage: string; present: () => boolean; elsewhere: string; optional?: string }>} */
const SYSTEM_DEPENDENCIES = {
  redis: {
    debianPackage: 'redis-server',
    present: () => onPath('redis-server') || Boolean(process.env.REDIS_URL),
    elsewhere: 'Redis 7 or newer (macOS: `brew install redis`; Fedora: `dnf install redis`), or set REDIS_URL',
  },
  // The tests start their own PostgreSQL server from the package's binaries (never its service).
  postgresql: {
    debianPackage: 'postgresql',
    present: () => postgresBinDir() !== null,
    elsewhere: 'PostgreSQL 13 or newer with initdb and pg_ctl, and set POSTGRES_BIN_DIR to the folder holding them',
  },
  chromium: {
    debianPackage: 'chromium',
    present: () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'),
    elsewhere: 'Chromium or Chrome, and set CHROMIUM_PATH to its executable',
  },
  // `ip netns` for the multi-host tests, which need root anyway and skip themselves without it.
  iproute2: {
    debianPackage: 'iproute2',
    present: () => ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].some((path) => existsSync(path)),
    elsewhere: 'iproute2 (the ip command)',
    optional: 'the multi-host tests (test/server/multi-host/) will be skipped',
  },
};

/** Where initdb and pg_ctl are: POSTGRES_BIN_DIR, or the newest /usr/lib/postgresql/<version>/bin. */
function postgresBinDir() {
  if (process.env.POSTGRES_BIN_DIR) return existsSync(join(process.env.POSTGRES_BIN_DIR, 'initdb')) ? process.env.POSTGRES_BIN_DIR : null;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((version) => existsSync(join(base, version, 'bin', 'initdb')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : null;
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function ensureNodeModules() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('[bootstrap] installing npm dependencies (npm ci) …');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

function ensureSystemPackages(names) {
  let missing = names.filter((name) => {
    const dependency = SYSTEM_DEPENDENCIES[name];
    if (!dependency) throw new Error(`unknown system dependency "${name}"`);
    return !dependency.present();
  });
  if (missing.length === 0) return;
  const isDebian = existsSync('/etc/debian_version') && onPath('apt-get');
  const isRoot = process.getuid?.() === 0;
  if (!isDebian || !isRoot) {
    for (const name of missing.filter((name) => SYSTEM_DEPENDENCIES[name].optional)) {
      console.log(`[bootstrap] ${name} is not installed: ${SYSTEM_DEPENDENCIES[name].optional}`);
    }
    missing = missing.filter((name) => !SYSTEM_DEPENDENCIES[name].optional);
    if (missing.length === 0) return;
  }
  const packages = missing.map((name) => SYSTEM_DEPENDENCIES[name].debianPackage);
  if (!isDebian || !isRoot) {
    console.error('[bootstrap] missing system packages:');
    for (const name of missing) {
      const dependency = SYSTEM_DEPENDENCIES[name];
      console.error(`  - ${name}: on Debian/Ubuntu \`apt-get install ${dependency.debianPackage}\`; elsewhere ${dependency.elsewhere}`);
    }
    if (isDebian) console.error('[bootstrap] run this as root (or with sudo) to install them automatically.');
    process.exit(1);
  }
  console.log(`[bootstrap] installing ${packages.join(', ')} from Debian …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

ensureNodeModules();
ensureSystemPackages(process.argv.slice(2));
