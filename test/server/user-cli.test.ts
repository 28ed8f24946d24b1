import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, databaseEnvironment, login, startTestServer } from '../support/test-server.js';

let dataDir: string;
let redis: TestRedis;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-cli-'));
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm run user -- …args` as the IT admin would run it, against the temp DATA_DIR (or its PostgreSQL database). */
function userCommand(
  args: string[],
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/user.ts', ...args], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, ...databaseEnvironment(dataDir) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

describe('npm run user', () => {
  it('adds accounts that can then sign in to the server', async () => {
    const added = await userCommand(
      ['add', 'nurse.kim', '--name', 'Nurse Kim Park', '--role', 'nurse', '--password-stdin'],
      'correct horse battery\n',
    );
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toMatch(/added nurse\.kim \(Nurse Kim Park, nurse\)/);
    const adminAdded = await userCommand(
      ['add', 'it.admin', '--name', 'IT', '--role', 'admin', '--password-stdin'],
      'admin-password',
    );
    expect(adminAdded.code).toBe(0);

    const server = await startTestServer({ redisUrl: redis.url, dataDir, demoData: false });
    try {
      const { user } = await login(server.url, 'nurse.kim', 'correct horse battery');
      expect(user).toMatchObject({
        username: 'nurse.kim',
        displayName: 'Nurse Kim Park',
        role: 'nurse',
      });
      // An existing user table means no demo accounts are mixed in, even when asked for.
      expect(
        (
          await api(server.url).post('/api/auth/login', {
            username: 'dr.smith',
            password: 'clinicpulse',
          })
        ).status,
      ).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('lists accounts with their role and status', async () => {
    const listed = await userCommand(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+USERNAME\s+NAME\s+ROLE\s+STATUS$/m);
    expect(listed.stdout).toMatch(/nurse\.kim\s+Nurse Kim Park\s+nurse\s+enabled/);
  });

  it('refuses a duplicate username, a short password, an unknown role, with exit code 1 and a clear message', async () => {
    const duplicate = await userCommand(
      ['add', 'NURSE.KIM', '--name', 'X', '--role', 'nurse', '--password-stdin'],
      'long-enough-1',
    );
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already taken/);
    const short = await userCommand(
      ['add', 'someone', '--name', 'X', '--role', 'nurse', '--password-stdin'],
      'short',
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 8 characters/);
    const role = await userCommand(
      ['add', 'someone', '--name', 'X', '--role', 'surgeon', '--password-stdin'],
      'long-enough-1',
    );
    expect(role.code).toBe(1);
    expect(role.stderr).toMatch(/role/);
    expect((await userCommand(['list'])).stdout).not.toMatch(/someone/);
  });

  it('explains usage mistakes with exit code 2', async () => {
    const unknown = await userCommand(['promote', 'nurse.kim']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "promote"/);
    expect(unknown.stderr).toMatch(/Usage: npm run user/);
    const missing = await userCommand(
      ['add', 'x.y', '--role', 'nurse', '--password-stdin'],
      'long-enough-1',
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--name/);
    expect((await userCommand(['disable'])).code).toBe(2);
  });

  it('disables (ending sessions at once), enables and resets passwords', async () => {
    const server = await startTestServer({ redisUrl: redis.url, dataDir, demoData: false });
    try {
      const { token } = await login(server.url, 'nurse.kim', 'correct horse battery');
      const disabled = await userCommand(['disable', 'nurse.kim']);
      expect(disabled.code).toBe(0);
      expect((await api(server.url, token).get('/api/me')).status).toBe(401);
      expect((await userCommand(['list'])).stdout).toMatch(/nurse\.kim.*disabled/);

      expect((await userCommand(['enable', 'nurse.kim'])).code).toBe(0);
      const reset = await userCommand(
        ['reset-password', 'nurse.kim', '--password-stdin'],
        'a brand new one\n',
      );
      expect(reset.code).toBe(0);
      await expect(login(server.url, 'nurse.kim', 'correct horse battery')).rejects.toThrow(/401/);
      await login(server.url, 'nurse.kim', 'a brand new one');
    } finally {
      await server.close();
    }
  });

  it('fails clearly for an unknown user and protects the last admin', async () => {
    const missing = await userCommand(['disable', 'no.one']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no user named "no\.one"/);
    const lastAdmin = await userCommand(['disable', 'it.admin']);
    expect(lastAdmin.code).toBe(1);
    expect(lastAdmin.stderr).toMatch(/last enabled admin/);
  });

  it('names a bad setting', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/user.ts', 'list'], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, LOG_LEVEL: 'chatty' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/LOG_LEVEL/);
  });
});
