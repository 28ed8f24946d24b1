import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rendererBuildIsStale } from '../../scripts/renderer-build-freshness.js';

describe('rendererBuildIsStale', () => {
  let root: string;

  function age(path: string, secondsAgo: number): void {
    const when = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(path, when, when);
  }

  function writeAt(path: string, secondsAgo: number): void {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'x');
    age(path, secondsAgo);
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'clinicpulse-renderer-build-'));
    writeAt(join(root, 'renderer', 'src', 'App.tsx'), 300);
    writeAt(join(root, 'common', 'api.ts'), 300);
    for (const folder of ['renderer/src', 'renderer', 'common'])
      utimesSync(
        join(root, folder),
        new Date(Date.now() - 300_000),
        new Date(Date.now() - 300_000),
      );
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is stale when there is no build', () => {
    expect(rendererBuildIsStale(root)).toBe(true);
  });

  it('is fresh when the build is newer than every source', () => {
    writeAt(join(root, 'dist', 'renderer', 'index.html'), 60);
    expect(rendererBuildIsStale(root)).toBe(false);
  });

  it('is stale after a change to the renderer or to the protocol it shares', () => {
    writeAt(join(root, 'dist', 'renderer', 'index.html'), 60);
    writeAt(join(root, 'renderer', 'src', 'App.tsx'), 10);
    expect(rendererBuildIsStale(root)).toBe(true);

    writeAt(join(root, 'dist', 'renderer', 'index.html'), 5);
    writeAt(join(root, 'common', 'api.ts'), 1);
    expect(rendererBuildIsStale(root)).toBe(true);
  });

  it('ignores installed packages and hidden folders beside the sources', () => {
    writeAt(join(root, 'dist', 'renderer', 'index.html'), 60);
    writeAt(join(root, 'renderer', 'node_modules', '.vite', 'deps.json'), 1);
    writeAt(join(root, 'renderer', '.cache', 'x'), 1);
    for (const folder of ['renderer'])
      utimesSync(
        join(root, folder),
        new Date(Date.now() - 300_000),
        new Date(Date.now() - 300_000),
      );
    expect(rendererBuildIsStale(root)).toBe(false);
  });
});
