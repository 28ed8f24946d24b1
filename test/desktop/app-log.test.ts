import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DESKTOP_SETTINGS } from '../../common/desktop-bridge.js';
import { AppLog } from '../../main/log/app-log.js';
import { diagnosticsReport } from '../../main/log/diagnostics.js';
import { redactSecrets } from '../../main/log/redact-secrets.js';

describe('the main process log', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clinicpulse-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one line per entry with time and level, and rotates, keeping three older files', () => {
    const log = new AppLog({
      directory: dir,
      maxBytes: 200,
      keep: 3,
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    log.write('info', 'signed in as user 3');
    expect(readFileSync(join(dir, 'main.log'), 'utf8')).toBe(
      '2026-01-02T03:04:05.000Z INFO signed in as user 3\n',
    );
    for (let index = 0; index < 40; index++) log.write('warn', `connection lost ${index}`);
    expect(readdirSync(dir).sort()).toEqual(['main.1.log', 'main.2.log', 'main.3.log', 'main.log']);
    for (const file of readdirSync(dir))
      expect(readFileSync(join(dir, file)).length).toBeLessThanOrEqual(200);
    expect(log.tail()).toContain('connection lost 39');
    expect(log.tail()).toContain('connection lost 38');
  });

  it('never writes a token, cookie or password, even one quoted inside an error', () => {
    const log = new AppLog({ directory: dir });
    log.write('error', 'request failed: authorization: Bearer abc.def-123 rejected');
    log.write('error', 'Set-Cookie session=s3cr3tvalue; HttpOnly');
    log.write('error', 'body {"token":"tok_987","password":"clinicpulse"}');
    const text = readFileSync(join(dir, 'main.log'), 'utf8');
    for (const secret of ['abc.def-123', 's3cr3tvalue', 'tok_987', 'clinicpulse'])
      expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(redactSecrets('connection lost: no heartbeat')).toBe('connection lost: no heartbeat');
  });
});

describe('a log folder that cannot be written', () => {
  it('neither stops the app from starting nor from logging on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-log-'));
    try {
      const blocked = join(dir, 'logs');
      writeFileSync(blocked, 'a file where the folder should be');
      const log = new AppLog({ directory: blocked });
      expect(() => log.write('warn', 'still running')).not.toThrow();
      expect(log.tail()).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Copy diagnostics', () => {
  it('names versions, files, the connection and settings, and ends with the log', () => {
    const report = diagnosticsReport({
      appVersion: '0.1.0',
      versions: { electron: '45.5.0', chrome: '142.0', node: '22.20.0' },
      platform: 'win32',
      osRelease: '10.0.26100',
      packaged: true,
      state: {
        session: {
          serverUrl: 'https://clinicpulse.clinic.example',
          user: { id: 3, username: 'nurse.jones', displayName: 'Nurse Ben Jones', role: 'nurse' },
        },
        serverUrl: 'https://clinicpulse.clinic.example',
        connection: { status: 'reconnecting', nextRetryAt: 1, detail: 'the server answered 503' },
        settings: DEFAULT_DESKTOP_SETTINGS,
        unreadCount: 2,
        notice: null,
      },
      updates: '{"status":"ready","version":"0.2.0"}',
      paths: {
        userData: 'C:\\Users\\x\\AppData\\Roaming\\ClinicPulse',
        logs: 'L',
        crashDumps: 'D',
      },
      logTail: '2026-01-02T03:04:05.000Z WARN connection lost\n',
      now: new Date(Date.UTC(2026, 0, 2)),
    });
    expect(report).toContain('ClinicPulse 0.1.0 diagnostics');
    expect(report).toContain('Electron 45.5.0');
    expect(report).toContain('Signed in: nurse.jones (user 3, nurse)');
    expect(report).toContain('Connection: reconnecting — the server answered 503');
    expect(report).toContain('Crash reports (kept on this computer): D');
    expect(report).toContain('Updates: {"status":"ready","version":"0.2.0"}');
    expect(report.trimEnd().endsWith('WARN connection lost')).toBe(true);
  });
});
