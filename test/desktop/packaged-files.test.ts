import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDesktop, type DesktopBuild } from '../../scripts/build-desktop.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The `files:` patterns of electron-builder.yml (a flat list of strings). */
function builderFilePatterns(): string[] {
  const lines = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8').split('\n');
  const start = lines.indexOf('files:');
  expect(start).toBeGreaterThan(-1);
  const patterns: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const item = /^ {2}- (["']?)(.+)\1$/.exec(line);
    if (!item) break;
    patterns.push(item[2]!);
  }
  return patterns;
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('**')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('.*');
  return new RegExp(`^${source.replace(/^\.\*\//, '(?:.*/)?')}$`);
}

/** What electron-builder's `files` would put in the app: included by a pattern, not excluded by a `!` one. */
function packagedFiles(appDirectory: string, patterns: string[]): string[] {
  const include = patterns.filter((p) => !p.startsWith('!')).map(globToRegExp);
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => globToRegExp(p.slice(1)));
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else all.push(relative(appDirectory, path).split('\\').join('/'));
    }
  };
  walk(appDirectory);
  return all
    .filter((file) => include.some((re) => re.test(file)) && !exclude.some((re) => re.test(file)))
    .sort();
}

const SERVER_PACKAGES = [
  'express',
  'ioredis',
  'better-sqlite3',
  'pino',
  'pino-http',
  'helmet',
  'prom-client',
  'cookie',
  'dotenv',
  'express-rate-limit',
  'rate-limit-redis',
];
const SECRET_PATTERNS: [string, RegExp][] = [
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['AWS access key', /AKIA[0-9A-Z]{16}/],
  ['GitHub token', /gh[pousr]_[A-Za-z0-9]{36}/],
  ['hard-coded bearer token', /Bearer [A-Za-z0-9._~+/-]{20,}/],
  ['environment file content', /^(REDIS_URL|SESSION_SECRET|DATABASE_URL|DATA_DIR)=/m],
];

describe('the packaged desktop app', () => {
  let work: string;
  let built: DesktopBuild;
  let files: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'clinicpulse-package-'));
    const rendererDir = join(work, 'renderer');
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
    files = packagedFiles(built.outDir, builderFilePatterns());
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs exactly the app directory that build:desktop writes', () => {
    const config = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
    expect(config).toMatch(/^directories:\n {2}app: dist\/desktop$/m);
    expect(config).toMatch(/^asar: true$/m);
    expect(built.rendererIncluded).toBe(true);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'main.cjs',
        'preload.cjs',
        'assets/icon.png',
        'assets/tray.png',
        'renderer/index.html',
      ]),
    );
    const topLevel = new Set(files.map((file) => file.split('/')[0]));
    expect([...topLevel].sort()).toEqual([
      'assets',
      'main.cjs',
      'package.json',
      'preload.cjs',
      'renderer',
    ]);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
  });

  it('has no dependencies of its own, so no node_modules are packed', () => {
    const manifest = JSON.parse(readFileSync(join(built.outDir, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({
      name: 'clinicpulse',
      productName: 'ClinicPulse',
      main: 'main.cjs',
    });
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'scripts'])
      expect(manifest).not.toHaveProperty(field);
    expect(files.some((file) => file.includes('node_modules'))).toBe(false);
  });

  it('bundles no server code: only main/, common/ and the stream and schema libraries go in', () => {
    const allowed = /^(main|common)\/|^node_modules\/(eventsource|eventsource-parser|zod)\//;
    expect(built.inputs.length).toBeGreaterThan(10);
    expect(built.inputs.filter((input) => !allowed.test(input))).toEqual([]);
    expect(built.inputs.some((input) => input.startsWith('main/main.ts'))).toBe(true);
    const code = ['main.cjs', 'preload.cjs']
      .map((file) => readFileSync(join(built.outDir, file), 'utf8'))
      .join('\n');
    for (const name of SERVER_PACKAGES)
      expect(code, name).not.toMatch(new RegExp(`require\\(["']${name}["']\\)`));
    // The preload needs only channel names and ipcRenderer.
    expect(readFileSync(join(built.outDir, 'preload.cjs'), 'utf8').length).toBeLessThan(4_000);
  });

  it('carries no secrets: no key or environment files, and no key, token or credential in any file', () => {
    expect(
      files.filter((file) => /(^|\/)\.env|\.(pem|key|p12|pfx|crt)$|id_rsa|\.npmrc$/.test(file)),
    ).toEqual([]);
    for (const file of files) {
      const text = readFileSync(join(built.outDir, file)).toString('latin1');
      for (const [what, pattern] of SECRET_PATTERNS)
        expect(pattern.test(text), `${what} in ${file}`).toBe(false);
    }
    const preset = JSON.parse(
      readFileSync(join(ROOT, 'build', 'app-config.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(Object.keys(preset).filter((key) => key !== 'serverUrl')).toEqual([]);
  });
});
