import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missingSigning } from '../../scripts/desktop-signing.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function runCheck(platform: string, env: Record<string, string>) {
  const { PATH, HOME } = process.env;
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts', 'desktop-signing.ts'), platform],
    { cwd: ROOT, env: { PATH, HOME, ...env }, encoding: 'utf8' },
  );
}

describe('a release build refuses to go out unsigned', () => {
  it('stops a Windows release without a certificate, naming the variables', () => {
    const result = runCheck('win', {});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('WIN_CSC_LINK + WIN_CSC_KEY_PASSWORD');
    expect(runCheck('win', { CSC_LINK: 'cert.pfx', CSC_KEY_PASSWORD: 'secret' }).status).toBe(0);
  });

  it('stops a macOS release without a Developer ID or without notarization credentials', () => {
    const unsigned = runCheck('mac', {});
    expect(unsigned.status).toBe(1);
    expect(unsigned.stderr).toContain('Developer ID');
    expect(unsigned.stderr).toContain('APPLE_API_KEY + APPLE_API_KEY_ID + APPLE_API_ISSUER');
    expect(missingSigning('mac', { CSC_NAME: 'Developer ID Application: Clinic' })).toEqual([
      expect.stringContaining('notarization'),
    ]);
    expect(
      missingSigning('mac', {
        CSC_NAME: 'Developer ID Application: Clinic',
        APPLE_ID: 'it@clinic.example',
        APPLE_APP_SPECIFIC_PASSWORD: 'abcd-efgh',
        APPLE_TEAM_ID: 'TEAM123',
      }),
    ).toEqual([]);
  });

  it('treats an empty variable as unset, and needs nothing for Linux packages', () => {
    expect(missingSigning('win', { WIN_CSC_LINK: ' ', WIN_CSC_KEY_PASSWORD: 'x' })).toHaveLength(1);
    expect(runCheck('linux', {}).status).toBe(0);
  });

  it('the release script runs the check and makes electron-builder fail on a signing error', () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts['dist:release']).toMatch(
      /tsx scripts\/desktop-signing\.ts && electron-builder .*--config\.forceCodeSigning=true/,
    );
  });
});
