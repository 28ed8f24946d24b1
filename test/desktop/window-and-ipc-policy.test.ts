import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  INVOKE_ARGUMENTS,
  INVOKE_CHANNELS,
  PUSH_CHANNELS,
  SEND_ARGUMENTS,
  SEND_CHANNELS,
} from '../../common/ipc-channels.js';
import { isTrustedSender } from '../../main/ipc/trusted-sender.js';
import { appFileFor } from '../../main/window/app-files.js';
import { APP_CONTENT_SECURITY_POLICY } from '../../main/window/content-security-policy.js';
import { decideWindowOpen, isAllowedNavigation } from '../../main/window/navigation-policy.js';

describe('window navigation', () => {
  it('stays on the app bundle', () => {
    expect(isAllowedNavigation('app://clinicpulse/index.html#/conversations/3')).toBe(true);
    for (const url of [
      'https://evil.example/',
      'http://127.0.0.1:5000/',
      'file:///etc/passwd',
      'app://other/index.html',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(isAllowedNavigation(url)).toBe(false);
    }
  });

  it('window.open opens only the clinic server, and only in the system browser', () => {
    expect(decideWindowOpen('https://clinic.example/help', 'https://clinic.example')).toEqual({
      action: 'open-in-browser',
      url: 'https://clinic.example/help',
    });
    expect(decideWindowOpen('https://clinic.example.evil.com/', 'https://clinic.example')).toEqual({
      action: 'deny',
    });
    expect(decideWindowOpen('https://evil.example/', 'https://clinic.example')).toEqual({
      action: 'deny',
    });
    expect(decideWindowOpen('file:///c:/windows', 'https://clinic.example')).toEqual({
      action: 'deny',
    });
    expect(decideWindowOpen('https://clinic.example/', null)).toEqual({ action: 'deny' });
  });

  it('the content security policy allows no remote or inline script and no framing', () => {
    expect(APP_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(APP_CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(APP_CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(APP_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
  });
});

describe('app:// file serving', () => {
  const root = join(sep, 'opt', 'ClinicPulse', 'renderer');
  it('maps app URLs into the renderer bundle', () => {
    expect(appFileFor('app://clinicpulse/', root)).toEqual({
      path: join(root, 'index.html'),
      contentType: 'text/html; charset=utf-8',
    });
    expect(appFileFor('app://clinicpulse/assets/index-abc.js', root)?.path).toBe(
      join(root, 'assets', 'index-abc.js'),
    );
  });

  it('refuses other hosts and every way out of the bundle', () => {
    for (const url of [
      'app://other/index.html',
      'https://clinicpulse/index.html',
      'app://clinicpulse/../../etc/passwd',
      'app://clinicpulse/%2e%2e/%2e%2e/etc/passwd',
      'app://clinicpulse/assets/..%2f..%2f..%2fetc%2fpasswd',
      'app://clinicpulse/a%5c..%5c..%5cwin.ini',
      'app://clinicpulse/a%00.js',
      'app://clinicpulse/%E0%A4%A',
    ]) {
      const file = appFileFor(url, root);
      if (file) expect(file.path.startsWith(root + sep)).toBe(true);
      else expect(file).toBeNull();
    }
    expect(appFileFor('app://other/index.html', root)).toBeNull();
    expect(appFileFor('app://clinicpulse/a%00.js', root)).toBeNull();
  });
});

describe('IPC', () => {
  const frame = (url: string, isMainFrame = true, webContentsId = 7) => ({
    url,
    isMainFrame,
    webContentsId,
  });

  it('accepts only the top frame of the app window showing the app bundle', () => {
    expect(isTrustedSender(frame('app://clinicpulse/index.html#/settings'), 7)).toBe(true);
    expect(isTrustedSender(frame('app://clinicpulse/index.html', false), 7)).toBe(false);
    expect(isTrustedSender(frame('app://clinicpulse/index.html', true, 8), 7)).toBe(false);
    expect(isTrustedSender(frame('https://evil.example/'), 7)).toBe(false);
    expect(isTrustedSender(frame('file:///tmp/x.html'), 7)).toBe(false);
    expect(isTrustedSender(null, 7)).toBe(false);
    expect(isTrustedSender(frame('app://clinicpulse/index.html'), null)).toBe(false);
  });

  it('has one distinct channel per bridge method, all in our namespace', () => {
    const channels = [
      ...Object.values(INVOKE_CHANNELS),
      ...Object.values(SEND_CHANNELS),
      ...Object.values(PUSH_CHANNELS),
    ];
    expect(new Set(channels).size).toBe(channels.length);
    for (const channel of channels) expect(channel).toMatch(/^clinicpulse:[a-z-]+$/);
  });

  it('validates every argument before main uses it', () => {
    expect(INVOKE_ARGUMENTS.getState.safeParse([]).success).toBe(true);
    expect(INVOKE_ARGUMENTS.getState.safeParse(['extra']).success).toBe(false);
    expect(
      INVOKE_ARGUMENTS.signIn.safeParse([
        { serverUrl: 'https://clinic.example', username: 'dr.smith', password: 'x' },
      ]).success,
    ).toBe(true);
    expect(
      INVOKE_ARGUMENTS.signIn.safeParse([
        { serverUrl: 'file:///etc', username: 'dr.smith', password: 'x' },
      ]).success,
    ).toBe(false);
    expect(INVOKE_ARGUMENTS.request.safeParse([{ method: 'GET', path: '/api/me' }]).success).toBe(
      true,
    );
    expect(
      INVOKE_ARGUMENTS.request.safeParse([{ method: 'GET', path: 'https://evil.example/api/me' }])
        .success,
    ).toBe(false);
    expect(INVOKE_ARGUMENTS.request.safeParse([{ method: 'PUT', path: '/api/me' }]).success).toBe(
      false,
    );
    expect(
      INVOKE_ARGUMENTS.updateSettings.safeParse([{ previewLevel: 'count_only' }]).success,
    ).toBe(true);
    expect(
      INVOKE_ARGUMENTS.updateSettings.safeParse([{ previewLevel: 'everything' }]).success,
    ).toBe(false);
    expect(INVOKE_ARGUMENTS.updateSettings.safeParse([{ sneaky: true }]).success).toBe(false);
    expect(INVOKE_ARGUMENTS.setDeskName.safeParse(["Nurses' station PC"]).success).toBe(true);
    expect(INVOKE_ARGUMENTS.setDeskName.safeParse(['   ']).success).toBe(false);
    expect(INVOKE_ARGUMENTS.setDeskName.safeParse(['x'.repeat(101)]).success).toBe(false);
    expect(INVOKE_ARGUMENTS.setDeskName.safeParse([{ name: 'PC' }]).success).toBe(false);
    expect(SEND_ARGUMENTS.setOpenConversation.safeParse(['12']).success).toBe(true);
    expect(SEND_ARGUMENTS.setOpenConversation.safeParse([null]).success).toBe(true);
    expect(SEND_ARGUMENTS.setOpenConversation.safeParse([{ toString: '12' }]).success).toBe(false);
  });
});
